// Host keys: known ones pass, new ones are trusted on first use and recorded, changed ones are refused,
// and hashed entries of ~/.ssh/known_hosts are understood.
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostKeyAlgorithms, KEX_ALGORITHMS, KnownHosts } from '../../src/steps/transport/known-hosts.js';

const dir = mkdtempSync(join(tmpdir(), 'k8sha-kh-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function key(seed: string): Buffer {
  const type = Buffer.from('ssh-ed25519');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(type.length);
  return Buffer.concat([len, type, Buffer.from(seed.padEnd(32, 'x'))]);
}

describe('known hosts', () => {
  it('trusts a new host on first use, records it 0600, then knows it', () => {
    const own = join(dir, 'own');
    const kh = new KnownHosts(own, join(dir, 'none'), join(dir, 'none'));
    const k = key('a');
    expect(kh.check('10.0.0.1', 22, k)).toMatchObject({
      status: 'new',
      fingerprint: expect.stringMatching(/^SHA256:/),
    });
    kh.remember('10.0.0.1', 22, k);
    expect(statSync(own).mode & 0o777).toBe(0o600);
    expect(kh.check('10.0.0.1', 22, k)).toEqual({ status: 'known' });
    expect(readFileSync(own, 'utf8')).toMatch(/^10\.0\.0\.1 ssh-ed25519 /);
  });

  it('refuses a changed key and says where the old one is', () => {
    const own = join(dir, 'own2');
    const kh = new KnownHosts(own, join(dir, 'none'), join(dir, 'none'));
    kh.remember('10.0.0.2', 2222, key('old'));
    expect(kh.check('10.0.0.2', 2222, key('new'))).toMatchObject({ status: 'changed', file: own, line: 1 });
    expect(kh.check('10.0.0.2', 22, key('new')).status, 'another port is another entry').toBe('new');
  });

  it('reads hashed entries in the user known_hosts', () => {
    const user = join(dir, 'user');
    const salt = randomBytes(20);
    const hash = createHmac('sha1', salt).update('10.0.0.3').digest('base64');
    const k = key('hashed');
    writeFileSync(user, `|1|${salt.toString('base64')}|${hash} ssh-ed25519 ${k.toString('base64')}\n`);
    const kh = new KnownHosts(join(dir, 'own3'), user, join(dir, 'none'));
    expect(kh.check('10.0.0.3', 22, k)).toEqual({ status: 'known' });
    expect(kh.check('10.0.0.3', 22, key('other')).status).toBe('changed');
  });
});

function typedKey(type: string, seed: string): Buffer {
  const t = Buffer.from(type);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(t.length);
  return Buffer.concat([len, t, Buffer.from(seed.padEnd(32, 'x'))]);
}

describe('known hosts as OpenSSH reads them', () => {
  it('pins a host by any known key: a key of another type is changed, not new', () => {
    const user = join(dir, 'user-types');
    writeFileSync(user, `10.0.0.4 ssh-ed25519 ${key('ed').toString('base64')}\n`);
    const kh = new KnownHosts(join(dir, 'own4'), user, join(dir, 'none'));
    expect(kh.check('10.0.0.4', 22, typedKey('ssh-rsa', 'mitm'))).toMatchObject({
      status: 'changed',
      file: user,
      line: 1,
      knownTypes: ['ssh-ed25519'],
    });
  });

  it('reads the system file, wildcard and negated patterns, and [host]:port', () => {
    const system = join(dir, 'ssh_known_hosts');
    const k = key('sys');
    writeFileSync(
      system,
      [
        `172.16.100.*,!172.16.100.13 ssh-ed25519 ${k.toString('base64')}`,
        `[10.9.9.?]:2222 ssh-ed25519 ${k.toString('base64')}`,
      ].join('\n'),
    );
    const kh = new KnownHosts(join(dir, 'own5'), join(dir, 'none'), system);
    expect(kh.check('172.16.100.12', 22, k)).toEqual({ status: 'known' });
    expect(kh.check('172.16.100.13', 22, k).status, 'negated').toBe('new');
    expect(kh.check('10.9.9.1', 2222, k)).toEqual({ status: 'known' });
    expect(kh.check('10.9.9.1', 22, k).status).toBe('new');
    expect(kh.check('172.16.100.99', 22, key('other')).status).toBe('changed');
  });

  it('refuses a key marked @revoked, even where it is also listed as known', () => {
    const user = join(dir, 'user-revoked');
    const k = key('rev');
    writeFileSync(
      user,
      `10.0.0.6 ssh-ed25519 ${k.toString('base64')}\n@revoked * ssh-ed25519 ${k.toString('base64')}\n`,
    );
    const kh = new KnownHosts(join(dir, 'own6'), user, join(dir, 'none'));
    expect(kh.check('10.0.0.6', 22, k)).toMatchObject({ status: 'revoked', file: user, line: 2 });
  });

  it('offers ssh2 no SHA-1 algorithms, and only the known key type for a known host', () => {
    expect(hostKeyAlgorithms([])).not.toContain('ssh-rsa');
    expect(hostKeyAlgorithms([])).toContain('ssh-ed25519');
    expect(hostKeyAlgorithms(['ssh-ed25519'])).toEqual(['ssh-ed25519']);
    expect(hostKeyAlgorithms(['ssh-rsa'])).toEqual(['rsa-sha2-512', 'rsa-sha2-256']);
    expect(KEX_ALGORITHMS.some((k) => /sha1/.test(k))).toBe(false);
  });
});
