// Build the transport for each host from the answers: SSH (default) or this machine.
// Credentials are resolved for every host up front, so a missing key or variable stops the run
// before any host is touched.
import type { Answers, Host } from '../../answers/schema.js';
import { resolveCredentials, type ProvidedSecrets, type SshCredentials } from './credentials.js';
import { KnownHosts } from './known-hosts.js';
import { LocalTransport } from './local.js';
import { SshTransport, type HostKeyScan } from './ssh.js';
import type { Transport } from './types.js';
import { knownHostsFile } from '../../state/paths.js';

export type TransportKind = 'ssh' | 'local';

export interface TransportSetup {
  factory: (h: Host) => Transport;
  /** SSH and sudo passwords, to keep out of logs. */
  secrets: string[];
}

export function transportSetup(
  kind: TransportKind,
  a: Answers,
  stateRoot: string,
  onNotice: (m: string) => void,
  provided: ProvidedSecrets = {},
  opts: { strictHostKeys?: boolean; hosts?: Host[] } = {},
): TransportSetup {
  if (kind === 'local') return { factory: (h) => new LocalTransport(h.name), secrets: [] };
  const creds = new Map<string, SshCredentials>(
    (opts.hosts ?? a.hosts).map((h) => [h.name, resolveCredentials(a, h, process.env, provided)]),
  );
  const known = new KnownHosts(knownHostsFile(stateRoot));
  const secrets = [...creds.values()]
    .flatMap((c) => [c.password, c.sudoPassword, c.passphrase])
    .filter((x): x is string => !!x);
  return {
    factory: (h) =>
      new SshTransport(h.name, h.address, creds.get(h.name)!, {
        knownHosts: known,
        onNotice,
        strictHostKeys: !!(opts.strictHostKeys || a.ssh.strictHostKeys),
      }),
    secrets,
  };
}

/**
 * Every host's key (and a bastion's, while it is not trusted), checked against the known_hosts files
 * without logging in: what the wizard shows before it asks to trust new keys.
 */
export async function scanHostKeys(
  a: Answers,
  stateRoot: string,
  provided: ProvidedSecrets = {},
): Promise<{ scans: HostKeyScan[]; unreachable: Record<string, string> }> {
  const known = new KnownHosts(knownHostsFile(stateRoot));
  const scans: HostKeyScan[] = [];
  const unreachable: Record<string, string> = {};
  await Promise.all(
    a.hosts.map(async (h) => {
      const t = new SshTransport(h.name, h.address, resolveCredentials(a, h, process.env, provided), {
        knownHosts: known,
      });
      try {
        scans.push(await t.scanHostKey());
      } catch (e) {
        unreachable[h.name] = (e as Error).message;
      } finally {
        await t.close();
      }
    }),
  );
  return {
    scans: scans.sort(
      (x, y) => a.hosts.findIndex((h) => h.name === x.node) - a.hosts.findIndex((h) => h.name === y.node),
    ),
    unreachable,
  };
}

/** Record keys the operator accepted (once per address and port). */
export function trustHostKeys(stateRoot: string, scans: HostKeyScan[]): void {
  const known = new KnownHosts(knownHostsFile(stateRoot));
  const done = new Set<string>();
  for (const s of scans) {
    const id = `${s.address}:${s.port}`;
    if (s.verdict !== 'new' || done.has(id)) continue;
    done.add(id);
    known.remember(s.address, s.port, s.key);
  }
}
