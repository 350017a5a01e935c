// Host keys, read the way OpenSSH reads them: ~/.ssh/known_hosts, /etc/ssh/ssh_known_hosts and the
// tool's own file; hashed names, wildcard and negated patterns, [host]:port, @revoked. Any known key
// pins a host: a key of another type is a changed key, never a new one.
import { createHash, createHmac } from 'node:crypto';
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export interface KeyLine {
  file: string;
  line: number;
  type: string;
}

export type HostKeyVerdict =
  | { status: 'known' }
  | { status: 'new'; fingerprint: string }
  | { status: 'changed'; fingerprint: string; file: string; line: number; knownTypes: string[] }
  | { status: 'revoked'; fingerprint: string; file: string; line: number };

export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

export function keyType(key: Buffer): string {
  if (key.length < 4) return '';
  const len = key.readUInt32BE(0);
  return key.subarray(4, 4 + len).toString('ascii');
}

function hostPattern(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** OpenSSH's match_pattern: `*` and `?` wildcards, case-insensitive. */
function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
  return re.test(name);
}

/** A known_hosts host field against `host` / `[host]:port`: hashes, lists, wildcards and `!negation`. */
export function hostFieldMatches(field: string, host: string, port: number): boolean {
  const name = hostPattern(host, port);
  let positive = false;
  for (const raw of field.split(',')) {
    if (raw.startsWith('|1|')) {
      const [, , salt, hash] = raw.split('|');
      if (
        salt &&
        hash &&
        createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash
      )
        positive = true;
      continue;
    }
    const negated = raw.startsWith('!');
    const pat = negated ? raw.slice(1) : raw;
    if (!globMatch(pat, name)) continue;
    if (negated) return false; // a negated match wins over every positive one
    positive = true;
  }
  return positive;
}

interface Entry {
  marker?: '@revoked' | '@cert-authority';
  hosts: string;
  type: string;
  blob: string;
  file: string;
  line: number;
}

function parse(file: string): Entry[] {
  if (!existsSync(file)) return [];
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const out: Entry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const parts = lines[i]!.trim().split(/\s+/);
    if (!parts[0] || parts[0].startsWith('#')) continue;
    let marker: Entry['marker'];
    if (parts[0].startsWith('@')) {
      if (parts[0] !== '@revoked' && parts[0] !== '@cert-authority') continue;
      marker = parts.shift() as Entry['marker'];
    }
    if (parts.length < 3) continue;
    out.push({
      ...(marker ? { marker } : {}),
      hosts: parts[0]!,
      type: parts[1]!,
      blob: parts[2]!,
      file,
      line: i + 1,
    });
  }
  return out;
}

export const SYSTEM_KNOWN_HOSTS = '/etc/ssh/ssh_known_hosts';

export class KnownHosts {
  constructor(
    private readonly ownFile: string,
    private readonly userFile = join(homedir(), '.ssh', 'known_hosts'),
    private readonly systemFile = SYSTEM_KNOWN_HOSTS,
  ) {}

  private entries(): Entry[] {
    return [this.userFile, this.systemFile, this.ownFile].flatMap(parse);
  }

  /** Keys recorded for this host (markers aside), in file order. */
  knownKeys(host: string, port: number): KeyLine[] {
    return this.entries()
      .filter((e) => !e.marker && hostFieldMatches(e.hosts, host, port))
      .map((e) => ({ file: e.file, line: e.line, type: e.type }));
  }

  check(host: string, port: number, key: Buffer): HostKeyVerdict {
    const type = keyType(key);
    const blob = key.toString('base64');
    const fp = fingerprint(key);
    const all = this.entries();
    // A revoked key is refused for every host its line names, even one that also lists it as known.
    const revoked = all.find(
      (e) =>
        e.marker === '@revoked' &&
        e.type === type &&
        e.blob === blob &&
        hostFieldMatches(e.hosts, host, port),
    );
    if (revoked) return { status: 'revoked', fingerprint: fp, file: revoked.file, line: revoked.line };
    const known = all.filter((e) => !e.marker && hostFieldMatches(e.hosts, host, port));
    if (known.some((e) => e.type === type && e.blob === blob)) return { status: 'known' };
    if (known.length) {
      // Any known key pins the host: another key, of any type, is a changed key.
      const first = known.find((e) => e.type === type) ?? known[0]!;
      return {
        status: 'changed',
        fingerprint: fp,
        file: first.file,
        line: first.line,
        knownTypes: [...new Set(known.map((e) => e.type))],
      };
    }
    return { status: 'new', fingerprint: fp };
  }

  remember(host: string, port: number, key: Buffer): void {
    mkdirSync(dirname(this.ownFile), { recursive: true, mode: 0o700 });
    appendFileSync(this.ownFile, `${hostPattern(host, port)} ${keyType(key)} ${key.toString('base64')}\n`, {
      mode: 0o600,
    });
    chmodSync(this.ownFile, 0o600);
  }
}

/**
 * The host-key algorithms ssh2 may negotiate: never ssh-rsa (SHA-1) or DSA; for a host with known
 * keys, only the algorithms of those key types, so a key of another type is never even offered.
 */
export function hostKeyAlgorithms(knownTypes: string[]): string[] {
  const byType: Record<string, string[]> = {
    'ssh-ed25519': ['ssh-ed25519'],
    'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
    'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
    'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
    'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256'],
  };
  const all = Object.values(byType).flat();
  if (knownTypes.length === 0) return all;
  const allowed = knownTypes.flatMap((t) => byType[t] ?? []);
  // A known type we cannot use safely (ssh-dss): offer nothing it could match, so the connect fails.
  return allowed.length ? allowed : ['ssh-ed25519'];
}

/** Key exchange without SHA-1 groups. */
export const KEX_ALGORITHMS = [
  'curve25519-sha256',
  'curve25519-sha256@libssh.org',
  'ecdh-sha2-nistp256',
  'ecdh-sha2-nistp384',
  'ecdh-sha2-nistp521',
  'diffie-hellman-group16-sha512',
  'diffie-hellman-group18-sha512',
  'diffie-hellman-group14-sha256',
];
