// The SSH transport (ssh2): one connection per host, reused for every command, with keepalive,
// timeouts and reconnect after a drop; host keys checked against every known_hosts file (trust on
// first use unless strict; a changed or revoked key is refused before any credential is sent);
// uploads over SFTP to a temp name, then renamed; an optional bastion.
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import ssh2 from 'ssh2';
import type { ClientChannel, ConnectConfig, SFTPWrapper } from 'ssh2';
import type { LoginCredentials, SshCredentials } from './credentials.js';
import {
  fingerprint,
  hostKeyAlgorithms,
  KEX_ALGORITHMS,
  keyType,
  type HostKeyVerdict,
  type KnownHosts,
} from './known-hosts.js';
import { quote, wrapForRemote, wrapForSudo, type SudoMarkers } from './shell.js';
import { AuthError, UnreachableError, type ExecOptions, type ExecResult, type Transport } from './types.js';

const { Client } = ssh2;
type SshClient = InstanceType<typeof Client>;

function algorithms(knownTypes: string[]): ConnectConfig['algorithms'] {
  return {
    serverHostKey: hostKeyAlgorithms(knownTypes) as ssh2.ServerHostKeyAlgorithm[],
    kex: KEX_ALGORITHMS as ssh2.KexAlgorithm[],
  };
}

export interface SshTransportOptions {
  knownHosts: KnownHosts;
  /** Told about newly trusted host keys (with their fingerprints). */
  onNotice?: (message: string) => void;
  /** Refuse a host whose key is not already known, instead of trusting it on first use. */
  strictHostKeys?: boolean;
  connectTimeoutMs?: number;
  /** Default per-command timeout. */
  commandTimeoutMs?: number;
}

/** What a host presented, and what the known_hosts files say about it (scanHostKey). */
export interface HostKeyScan {
  node: string;
  /** The address that presented the key: the host, or its bastion when that is not trusted yet. */
  address: string;
  port: number;
  type: string;
  fingerprint: string;
  verdict: HostKeyVerdict['status'];
  key: Buffer;
}

export class SshTransport implements Transport {
  private client: SshClient | undefined;
  private bastion: SshClient | undefined;
  private sftpSession: SFTPWrapper | undefined;
  private connecting: Promise<void> | undefined;
  private readonly markers: SudoMarkers;

  constructor(
    readonly host: string,
    private readonly address: string,
    private readonly creds: SshCredentials,
    private readonly opts: SshTransportOptions,
  ) {
    const nonce = randomBytes(8).toString('hex');
    this.markers = { prompt: `[k8sha-sudo-${nonce}]`, started: `k8sha-started-${nonce}` };
  }

  private get isRoot(): boolean {
    return this.creds.user === 'root';
  }

  private baseConfig(who: LoginCredentials, host: string): ConnectConfig {
    const known = this.opts.knownHosts.knownKeys(host, who.port).map((k) => k.type);
    return {
      host,
      port: who.port,
      username: who.user,
      readyTimeout: this.opts.connectTimeoutMs ?? 15_000,
      keepaliveInterval: 5_000,
      keepaliveCountMax: 3,
      algorithms: algorithms(known),
      ...(who.privateKey ? { privateKey: who.privateKey } : {}),
      ...(who.passphrase ? { passphrase: who.passphrase } : {}),
      ...(who.agent ? { agent: who.agent } : {}),
      ...(who.password ? { password: who.password } : {}),
      hostVerifier: (key: Buffer) => this.verifyHostKey(host, who.port, key),
    };
  }

  private hostKeyError: AuthError | undefined;

  private refuse(message: string, hint: string): false {
    this.hostKeyError = new AuthError(this.host, message, hint);
    return false;
  }

  private verifyHostKey(host: string, port: number, key: Buffer): boolean {
    const verdict = this.opts.knownHosts.check(host, port, key);
    switch (verdict.status) {
      case 'known':
        return true;
      case 'new':
        if (this.opts.strictHostKeys)
          return this.refuse(
            `the host key of ${host} (${keyType(key)} ${verdict.fingerprint}) is not in any known_hosts file, and strict host-key checking is on`,
            `check the fingerprint with the host's owner (ssh-keygen -lf /etc/ssh/ssh_host_${keyType(key).replace(/^ssh-|-sha2.*$/g, '')}_key.pub on ${host}), then add it to ~/.ssh/known_hosts, or run without --strict-host-keys to trust it on first use`,
          );
        this.opts.knownHosts.remember(host, port, key);
        this.opts.onNotice?.(
          `${this.host}: trusting the new host key of ${host} on first use: ${keyType(key)} ${verdict.fingerprint}`,
        );
        return true;
      case 'revoked':
        return this.refuse(
          `the host key of ${host} (${verdict.fingerprint}) is marked @revoked in ${verdict.file}:${verdict.line}`,
          `the host must get a new host key; do not connect to it until then`,
        );
      case 'changed':
        return this.refuse(
          `the host key of ${host} has CHANGED: it presented ${keyType(key)} ${verdict.fingerprint}, which does not match the known key in ${verdict.file}:${verdict.line}. Someone may be intercepting the connection, or the host was reinstalled.`,
          `if the host was reinstalled, remove line ${verdict.line} of ${verdict.file} (ssh-keygen -R ${port === 22 ? host : `'[${host}]:${port}'`} -f ${verdict.file}) and run again`,
        );
    }
  }

  /**
   * Connect far enough to see the host's key (and its bastion's), check it against the known_hosts
   * files, and disconnect before any credential is sent. Nothing is remembered.
   */
  async scanHostKey(): Promise<HostKeyScan> {
    const seen = (address: string, port: number, key: Buffer): HostKeyScan => ({
      node: this.host,
      address,
      port,
      type: keyType(key),
      fingerprint: fingerprint(key),
      verdict: this.opts.knownHosts.check(address, port, key).status,
      key,
    });
    const probe = (cfg: ConnectConfig, address: string, port: number): Promise<HostKeyScan> =>
      new Promise((resolve, reject) => {
        const c = new Client();
        let result: HostKeyScan | undefined;
        c.on('error', (err: Error) =>
          result
            ? resolve(result)
            : reject(new UnreachableError(this.host, `cannot connect to ${address}:${port}: ${err.message}`)),
        );
        c.on('ready', () => {
          c.end();
          if (result) resolve(result);
        });
        c.connect({
          ...cfg,
          // Every safe algorithm, so the key the host really has is the one we see.
          algorithms: algorithms([]),
          hostVerifier: (key: Buffer) => {
            result = seen(address, port, key);
            return false; // stop here: nothing is authenticated, no password is sent
          },
        });
      });
    if (this.creds.bastion) {
      const b = this.creds.bastion;
      const bastionScan = await probe(this.baseConfig(b, b.address), b.address, b.port);
      if (bastionScan.verdict !== 'known') return bastionScan;
      this.bastion = await this.dial(this.baseConfig(b, b.address), `bastion ${b.address}`);
      try {
        const sock = await this.forward(b.address);
        return await probe(
          { ...this.baseConfig(this.creds, this.address), sock: sock as ConnectConfig['sock'] },
          this.address,
          this.creds.port,
        );
      } finally {
        this.bastion.end();
        this.bastion = undefined;
      }
    }
    return probe(this.baseConfig(this.creds, this.address), this.address, this.creds.port);
  }

  async connect(): Promise<void> {
    if (this.client) return;
    this.connecting ??= this.open().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private forward(bastionAddress: string): Promise<ClientChannel> {
    return new Promise<ClientChannel>((resolve, reject) => {
      this.bastion!.forwardOut('127.0.0.1', 0, this.address, this.creds.port, (err, stream) =>
        err
          ? reject(
              new UnreachableError(
                this.host,
                `bastion ${bastionAddress} could not reach ${this.address}:${this.creds.port}: ${err.message}`,
              ),
            )
          : resolve(stream),
      );
    });
  }

  private async open(): Promise<void> {
    this.hostKeyError = undefined;
    let sock: NodeJS.ReadableStream | undefined;
    if (this.creds.bastion) {
      const b = this.creds.bastion;
      this.bastion = await this.dial(this.baseConfig(b, b.address), `bastion ${b.address}`);
      sock = await this.forward(b.address);
    }
    const cfg = this.baseConfig(this.creds, this.address);
    this.client = await this.dial(
      sock ? { ...cfg, sock: sock as ConnectConfig['sock'] } : cfg,
      `${this.address}:${this.creds.port}`,
    );
    this.client.on('close', () => {
      this.client = undefined;
      this.sftpSession = undefined;
    });
  }

  private dial(cfg: ConnectConfig, what: string): Promise<SshClient> {
    return new Promise((resolve, reject) => {
      const c = new Client();
      let settled = false;
      c.on('ready', () => {
        settled = true;
        // Without TCP_NODELAY every command stalls about 40 ms twice: the client's second small
        // packet (the exec request after the channel open) waits for a delayed ACK (Nagle). Measured
        // in the lab: 109 ms per `true` with Nagle, 21 ms without.
        c.setNoDelay(true);
        resolve(c);
      });
      c.on('error', (err: Error & { level?: string }) => {
        if (settled) return;
        settled = true;
        c.end();
        if (this.hostKeyError) return reject(this.hostKeyError);
        if (/no matching host key/i.test(err.message)) {
          // We offered only the known key types; the host has none of them: a changed key.
          const known = this.opts.knownHosts.knownKeys(cfg.host!, cfg.port ?? 22);
          const first = known[0];
          if (first)
            return reject(
              new AuthError(
                this.host,
                `the host key of ${cfg.host} has CHANGED: it offers no ${[...new Set(known.map((k) => k.type))].join(' or ')} key, which ${first.file}:${first.line} says it has. Someone may be intercepting the connection, or the host was reinstalled.`,
                `if the host was reinstalled, remove line ${first.line} of ${first.file} and run again`,
              ),
            );
        }
        if (err.level === 'client-authentication') {
          return reject(
            new AuthError(
              this.host,
              `authentication as ${cfg.username} on ${what} failed (${err.message})`,
              'check ssh.user, ssh.identityFile or the password environment variable; the SSH agent is used when SSH_AUTH_SOCK is set',
            ),
          );
        }
        reject(new UnreachableError(this.host, `cannot connect to ${what}: ${err.message}`));
      });
      c.connect(cfg);
    });
  }

  exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    return this.run(command, opts, true);
  }

  /** As the login user, without sudo (cleanup of the user's own temp files). */
  private execAsLogin(command: string): Promise<ExecResult> {
    return this.run(command, { timeoutMs: 60_000 }, false);
  }

  private async run(command: string, opts: ExecOptions, asRoot: boolean): Promise<ExecResult> {
    await this.connect();
    const client = this.client;
    if (!client) throw new UnreachableError(this.host, 'not connected');
    const viaSudo = asRoot && !this.isRoot;
    const sudoPw = viaSudo ? this.creds.sudoPassword : undefined;
    const markers = sudoPw !== undefined ? this.markers : undefined;
    const wrapped = viaSudo ? wrapForSudo(command, markers) : wrapForRemote(command);
    const started = Date.now();
    return new Promise((resolve, reject) => {
      client.exec(wrapped, (err, stream) => {
        if (err) return reject(new UnreachableError(this.host, `cannot run a command: ${err.message}`));
        let stdout = '';
        let stderr = '';
        let code: number | undefined;
        let partialOut = '';
        let partialErr = '';
        // With a sudo password: stderr is held back until the command's start marker shows, and the
        // password is written only if sudo's prompt appears before it.
        let preStart = markers ? '' : undefined;
        let passwordSent = false;
        const lines = (chunk: string, partial: string, cb?: (l: string) => void): string => {
          const all = partial + chunk;
          const parts = all.split('\n');
          const rest = parts.pop()!;
          if (cb) for (const p of parts) cb(p);
          return rest;
        };
        const onLost = () =>
          finish(new UnreachableError(this.host, 'the connection was lost while a command ran'));
        client.once('close', onLost);
        const timer = setTimeout(
          () => {
            stream.close();
            finish(new Error(`timed out after ${Math.round((opts.timeoutMs ?? 0) / 1000)} s`));
          },
          opts.timeoutMs ?? this.opts.commandTimeoutMs ?? 15 * 60_000,
        );
        let done = false;
        const finish = (e?: Error) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          client.removeListener('close', onLost);
          if (preStart) stderrText(preStart.split(markers!.prompt).join(''));
          if (partialOut) opts.onStdout?.(partialOut);
          if (partialErr) opts.onStderr?.(partialErr);
          if (e) return reject(e);
          resolve({ code: code ?? 255, stdout, stderr, durationMs: Date.now() - started });
        };
        const stderrText = (t: string) => {
          if (!t) return;
          stderr += t;
          partialErr = lines(t, partialErr, opts.onStderr);
        };
        const sendInput = () => (opts.input !== undefined ? stream.end(opts.input) : stream.end());
        stream.on('data', (d: Buffer) => {
          const t = d.toString('utf8');
          stdout += t;
          partialOut = lines(t, partialOut, opts.onStdout);
        });
        stream.stderr.on('data', (d: Buffer) => {
          const t = d.toString('utf8');
          if (preStart === undefined) return stderrText(t);
          preStart += t;
          const at = preStart.indexOf(`${markers!.started}\n`);
          const before = at >= 0 ? preStart.slice(0, at) : preStart;
          const prompts = before.split(markers!.prompt).length - 1;
          if (prompts > 0 && !passwordSent) {
            passwordSent = true;
            stream.write(`${sudoPw}\n`);
          } else if (prompts > 1) {
            // Asked again: the password was wrong. Stop rather than send it twice.
            stream.close();
            return finish(
              new AuthError(
                this.host,
                'sudo refused the password',
                'check the variable named by ssh.sudoPasswordEnv',
              ),
            );
          }
          if (at >= 0) {
            const rest = preStart.slice(at + markers!.started.length + 1);
            preStart = undefined;
            stderrText(before.split(markers!.prompt).join(''));
            stderrText(rest);
            sendInput();
          }
        });
        stream.on('exit', (c: number | null) => (code = c ?? 255));
        stream.on('close', () => finish());
        if (!markers) sendInput();
      });
    });
  }

  private async sftp(): Promise<SFTPWrapper> {
    await this.connect();
    if (this.sftpSession) return this.sftpSession;
    const client = this.client!;
    this.sftpSession = await new Promise<SFTPWrapper>((resolve, reject) =>
      client.sftp((err, s) =>
        err ? reject(new UnreachableError(this.host, `SFTP failed: ${err.message}`)) : resolve(s),
      ),
    );
    return this.sftpSession;
  }

  async upload(path: string, content: string | Buffer, mode: number): Promise<void> {
    const data = typeof content === 'string' ? Buffer.from(content) : content;
    const tag = randomBytes(6).toString('hex');
    const sftp = await this.sftp();
    const write = (target: string, m: number) =>
      new Promise<void>((resolve, reject) =>
        sftp.writeFile(target, data, { mode: m, flag: 'wx' }, (err) =>
          err ? reject(new Error(`SFTP write ${target}: ${err.message}`)) : resolve(),
        ),
      );
    if (this.isRoot) {
      const tmp = `${path}.k8sha-${tag}`;
      await this.mustExec(`mkdir -p ${quote(dirname(path))}`);
      await write(tmp, mode);
      // chmod after the write: the mode on open is masked by the server's umask.
      await this.mustExec(
        `chmod ${mode.toString(8)} ${quote(tmp)} && chown root:root ${quote(tmp)} && mv -f ${quote(tmp)} ${quote(path)}`,
      );
      return;
    }
    // A non-root login writes to its own temp file (readable by it alone), which sudo installs; the
    // temp file is removed as the login user afterwards, so a sudo failure does not leave it behind.
    const tmp = `/tmp/.k8sha-upload-${tag}`;
    await write(tmp, 0o600);
    try {
      await this.mustExec(
        `mkdir -p ${quote(dirname(path))} && install -m ${mode.toString(8)} -o root -g root ${quote(tmp)} ${quote(`${path}.k8sha-${tag}`)} && mv -f ${quote(`${path}.k8sha-${tag}`)} ${quote(path)}`,
      );
    } finally {
      await this.execAsLogin(`rm -f ${quote(tmp)}`).catch(() => undefined);
    }
  }

  private async mustExec(cmd: string): Promise<void> {
    const r = await this.exec(cmd, { timeoutMs: 60_000 });
    if (r.code !== 0) throw new Error(`${cmd} failed (exit ${r.code}): ${r.stderr.trim()}`);
  }

  async download(path: string): Promise<Buffer> {
    const r = await this.exec(`base64 < ${quote(path)}`, { timeoutMs: 60_000 });
    if (r.code !== 0) throw new Error(`cannot read ${path}: ${r.stderr.trim()}`);
    return Buffer.from(r.stdout.replace(/\s+/g, ''), 'base64');
  }

  async close(): Promise<void> {
    this.client?.end();
    this.bastion?.end();
    this.client = undefined;
    this.bastion = undefined;
    this.sftpSession = undefined;
  }
}
