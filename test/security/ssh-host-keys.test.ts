// The SSH transport against an in-process ssh2 server on loopback, standing in for a man in the
// middle: a key of another type than the known one, a different key of the same type, a revoked key,
// strict mode. Each must be refused before any credential reaches the server. Then sudo: the password
// goes to sudo only when sudo prompts, and the command's stdin stays the command's.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, describe, expect, it } from 'vitest';
import { KnownHosts } from '../../src/steps/transport/known-hosts.js';
import { SshTransport } from '../../src/steps/transport/ssh.js';
import { AuthError } from '../../src/steps/transport/types.js';

const dir = mkdtempSync(join(tmpdir(), 'k8sha-mitm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rsa = ssh2.utils.generateKeyPairSync('rsa', { bits: 2048 });
const ed = ssh2.utils.generateKeyPairSync('ed25519');
const ed2 = ssh2.utils.generateKeyPairSync('ed25519');

/** The public key blob (as ssh2's hostVerifier sees it) of an OpenSSH public key line. */
function blob(pub: string): string {
  return pub.trim().split(/\s+/)[1]!;
}

interface Seen {
  authAttempts: { method: string; password?: string }[];
  execs: { command: string; stdin: string }[];
}

type SudoMode = 'none' | 'nopasswd' | { password: string };

const { STATUS_CODE } = ssh2.utils.sftp;

/** A server presenting `hostKey`; it accepts any login and runs a tiny sudo emulation for exec. */
async function server(
  hostKey: string,
  sudo: SudoMode = 'none',
): Promise<{ port: number; seen: Seen; close: () => void }> {
  const seen: Seen = { authAttempts: [], execs: [] };
  const srv = new ssh2.Server({ hostKeys: [hostKey] }, (client) => {
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => {
      seen.authAttempts.push({
        method: ctx.method,
        ...(ctx.method === 'password' ? { password: ctx.password } : {}),
      });
      ctx.accept();
    });
    client.on('session', (accept) => {
      const session = accept();
      // Just enough SFTP for an upload: open, write, close.
      session.on('sftp', (acc) => {
        const sftp = acc();
        sftp.on('OPEN', (reqid, filename) => {
          seen.execs.push({ command: `sftp-open ${filename}`, stdin: '' });
          sftp.handle(reqid, Buffer.from([1]));
        });
        sftp.on('WRITE', (reqid) => sftp.status(reqid, STATUS_CODE.OK));
        sftp.on('CLOSE', (reqid) => sftp.status(reqid, STATUS_CODE.OK));
      });
      session.on('exec', (acc, _rej, info) => {
        const stream = acc();
        const rec = { command: info.command, stdin: '' };
        seen.execs.push(rec);
        const prompt = /sudo -S -p '([^']+)'/.exec(info.command)?.[1];
        const marker = /(k8sha-started-[0-9a-f]+)/.exec(info.command)?.[1];
        let buf = '';
        let authed = sudo === 'none' || sudo === 'nopasswd' || !prompt;
        const finish = () => {
          stream.write(rec.stdin); // the "command" echoes its stdin
          // sudo refuses the install of an uploaded file (e.g. the user lost its sudo rights).
          stream.exit(/^sudo .*install -m/.test(info.command) ? 1 : 0);
          stream.end();
        };
        if (authed && marker) stream.stderr.write(`${marker}\n`);
        else if (!authed) stream.stderr.write(prompt!);
        stream.on('data', (d: Buffer) => {
          if (authed) {
            rec.stdin += d.toString();
            return;
          }
          buf += d.toString();
          const nl = buf.indexOf('\n');
          if (nl < 0) return;
          const given = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (typeof sudo === 'object' && given === sudo.password) {
            authed = true;
            stream.stderr.write(`${marker}\n`);
            rec.stdin += buf;
          } else {
            stream.stderr.write(`Sorry, try again.\n${prompt}`);
          }
        });
        stream.on('end', finish);
      });
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  return { port: (srv.address() as AddressInfo).port, seen, close: () => srv.close() };
}

function transport(
  port: number,
  known: KnownHosts,
  opts: { strict?: boolean; user?: string; sudoPassword?: string; notices?: string[] } = {},
): SshTransport {
  return new SshTransport(
    'node1',
    '127.0.0.1',
    {
      user: opts.user ?? 'ops',
      port,
      password: 'ssh-secret-password',
      ...(opts.sudoPassword ? { sudoPassword: opts.sudoPassword } : {}),
    },
    {
      knownHosts: known,
      strictHostKeys: !!opts.strict,
      connectTimeoutMs: 10_000,
      onNotice: (m) => opts.notices?.push(m),
    },
  );
}

function knownWith(name: string, lines: string[]): { kh: KnownHosts; file: string } {
  const file = join(dir, name);
  writeFileSync(file, lines.join('\n') + '\n');
  return { kh: new KnownHosts(join(dir, `${name}-own`), file, join(dir, 'no-system-file')), file };
}

describe('host keys against a man in the middle', () => {
  it('refuses an RSA key where an ed25519 key is known, before any password is sent', async () => {
    const s = await server(rsa.private);
    try {
      const { kh, file } = knownWith('kh-type', [`[127.0.0.1]:${s.port} ssh-ed25519 ${blob(ed.public)}`]);
      const t = transport(s.port, kh, { sudoPassword: 'sudo-secret-password' });
      const err = await t.exec('true').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuthError);
      expect((err as Error).message).toMatch(/CHANGED/);
      expect((err as Error).message).toContain(`${file}:1`);
      expect((err as AuthError).hint).toMatch(/remove line 1/);
      expect(s.seen.authAttempts, 'no login attempt, so no password reached it').toEqual([]);
      expect(readFileSync(file, 'utf8'), 'the RSA key was not trusted').not.toContain('ssh-rsa');
      await t.close();
    } finally {
      s.close();
    }
  });

  it('refuses another key of the same type, and a revoked key, naming the line', async () => {
    const s = await server(ed2.private);
    try {
      const { kh, file } = knownWith('kh-same', [
        '# a comment',
        `[127.0.0.1]:${s.port} ssh-ed25519 ${blob(ed.public)}`,
      ]);
      const err = await transport(s.port, kh)
        .exec('true')
        .catch((e: unknown) => e);
      expect((err as Error).message).toMatch(new RegExp(`CHANGED.*${file}:2`));
      const r = knownWith('kh-revoked', [`@revoked * ssh-ed25519 ${blob(ed2.public)}`]);
      const err2 = await transport(s.port, r.kh)
        .exec('true')
        .catch((e: unknown) => e);
      expect((err2 as Error).message).toMatch(new RegExp(`@revoked in ${r.file}:1`));
      expect(s.seen.authAttempts).toEqual([]);
    } finally {
      s.close();
    }
  });

  it('in strict mode refuses a host it does not know; otherwise trusts it once, saying its fingerprint', async () => {
    const s = await server(ed.private, 'nopasswd');
    try {
      const { kh } = knownWith('kh-strict', []);
      const err = await transport(s.port, kh, { strict: true })
        .exec('true')
        .catch((e: unknown) => e);
      expect((err as Error).message).toMatch(/not in any known_hosts file, and strict/);
      expect(s.seen.authAttempts).toEqual([]);
      const notices: string[] = [];
      const t = transport(s.port, kh, { notices });
      expect((await t.exec('true')).code).toBe(0);
      await t.close();
      expect(notices.join('\n')).toMatch(
        /trusting the new host key of 127\.0\.0\.1 on first use: ssh-ed25519 SHA256:/,
      );
      const again = transport(s.port, kh, { strict: true });
      expect((await again.exec('true')).code, 'now known, so strict mode lets it in').toBe(0);
      await again.close();
    } finally {
      s.close();
    }
  });

  it('scans a host key without logging in', async () => {
    const s = await server(rsa.private);
    try {
      const { kh } = knownWith('kh-scan', [`[127.0.0.1]:${s.port} ssh-ed25519 ${blob(ed.public)}`]);
      const scan = await transport(s.port, kh).scanHostKey();
      expect(scan).toMatchObject({ node: 'node1', type: 'ssh-rsa', verdict: 'changed' });
      expect(scan.fingerprint).toMatch(/^SHA256:/);
      expect(s.seen.authAttempts).toEqual([]);
    } finally {
      s.close();
    }
  });
});

describe('sudo', () => {
  it('sends no password when sudo does not ask (NOPASSWD); the command gets exactly its input', async () => {
    const s = await server(ed.private, 'nopasswd');
    try {
      const { kh } = knownWith('kh-nopw', [`[127.0.0.1]:${s.port} ssh-ed25519 ${blob(ed.public)}`]);
      const t = transport(s.port, kh, { sudoPassword: 'sudo-secret-password' });
      const r = await t.exec('cat', { input: 'hello\n' });
      await t.close();
      expect(r.stdout).toBe('hello\n');
      expect(r.stderr, 'the markers are not output').toBe('');
      expect(s.seen.execs[0]!.stdin).toBe('hello\n');
      expect(JSON.stringify(s.seen.execs)).not.toContain('sudo-secret-password');
    } finally {
      s.close();
    }
  });

  it('answers the prompt with the password, once, and keeps it out of the command input', async () => {
    const s = await server(ed.private, { password: 'sudo-secret-password' });
    try {
      const { kh } = knownWith('kh-pw', [`[127.0.0.1]:${s.port} ssh-ed25519 ${blob(ed.public)}`]);
      const t = transport(s.port, kh, { sudoPassword: 'sudo-secret-password' });
      const r = await t.exec('cat', { input: 'line one\n' });
      expect(r.stdout).toBe('line one\n');
      expect(s.seen.execs[0]!.stdin).toBe('line one\n');
      const wrong = transport(s.port, kh, { sudoPassword: 'not-the-password' });
      const err = await wrong.exec('true').catch((e: unknown) => e);
      expect((err as Error).message).toMatch(/sudo refused the password/);
      await t.close();
      await wrong.close();
    } finally {
      s.close();
    }
  });
});

describe('uploads as a non-root user', () => {
  it('remove their temp file as the login user even when sudo fails', async () => {
    const s = await server(ed.private, 'nopasswd');
    try {
      const { kh } = knownWith('kh-upload', [`[127.0.0.1]:${s.port} ssh-ed25519 ${blob(ed.public)}`]);
      const t = transport(s.port, kh);
      const err = await t.upload('/etc/secret.conf', 'x', 0o600).catch((e: unknown) => e);
      await t.close();
      expect(String(err)).toMatch(/failed \(exit 1\)/);
      const cmds = s.seen.execs.map((e) => e.command);
      const tmp = /sftp-open (\/tmp\/\.k8sha-upload-[0-9a-f]+)/.exec(cmds.join('\n'))?.[1];
      expect(tmp, 'written to a temp file first').toBeDefined();
      const rm = cmds.findIndex((c) => c.includes(`rm -f ${tmp}`));
      const install = cmds.findIndex((c) => c.includes('install -m 600'));
      expect(rm).toBeGreaterThan(install);
      expect(cmds[rm]!.startsWith('sudo'), 'the cleanup does not depend on sudo').toBe(false);
      expect(cmds[install]).not.toContain('rm -f');
    } finally {
      s.close();
    }
  });
});
