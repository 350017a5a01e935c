// Host keys: checked against ~/.ssh/known_hosts, then the tool's own file. A new host is trusted on
// first use and recorded with its fingerprint shown; a changed key is refused.
import { createHash, createHmac } from 'node:crypto';
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export type HostKeyVerdict =
  | { status: 'known' }
  | { status: 'new'; fingerprint: string }
  | { status: 'changed'; fingerprint: string; file: string; line: number };

export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

function keyType(key: Buffer): string {
  const len = key.readUInt32BE(0);
  return key.subarray(4, 4 + len).toString('ascii');
}

function hostPattern(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function matchesHost(field: string, pattern: string): boolean {
  for (const h of field.split(',')) {
    if (h.startsWith('|1|')) {
      const [, , salt, hash] = h.split('|');
      if (
        salt &&
        hash &&
        createHmac('sha1', Buffer.from(salt, 'base64')).update(pattern).digest('base64') === hash
      )
        return true;
    } else if (h === pattern) return true;
  }
  return false;
}

export class KnownHosts {
  constructor(
    private readonly ownFile: string,
    private readonly userFile = join(homedir(), '.ssh', 'known_hosts'),
  ) {}

  check(host: string, port: number, key: Buffer): HostKeyVerdict {
    const pattern = hostPattern(host, port);
    const type = keyType(key);
    const blob = key.toString('base64');
    let sameTypeMismatch: { file: string; line: number } | undefined;
    for (const file of [this.userFile, this.ownFile]) {
      if (!existsSync(file)) continue;
      const lines = readFileSync(file, 'utf8').split('\n');
      for (let i = 0; i < lines.length; i++) {
        const parts = lines[i]!.trim().split(/\s+/);
        if (parts.length < 3 || parts[0]!.startsWith('#') || parts[0]!.startsWith('@')) continue;
        if (!matchesHost(parts[0]!, pattern)) continue;
        if (parts[1] === type && parts[2] === blob) return { status: 'known' };
        if (parts[1] === type) sameTypeMismatch ??= { file, line: i + 1 };
      }
    }
    if (sameTypeMismatch) return { status: 'changed', fingerprint: fingerprint(key), ...sameTypeMismatch };
    return { status: 'new', fingerprint: fingerprint(key) };
  }

  remember(host: string, port: number, key: Buffer): void {
    mkdirSync(dirname(this.ownFile), { recursive: true, mode: 0o700 });
    appendFileSync(this.ownFile, `${hostPattern(host, port)} ${keyType(key)} ${key.toString('base64')}\n`, {
      mode: 0o600,
    });
    chmodSync(this.ownFile, 0o600);
  }
}
