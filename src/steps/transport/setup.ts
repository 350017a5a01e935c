// Build the transport for each host from the answers: SSH (default), this machine, or a dry run.
// Credentials are resolved for every host up front, so a missing key or variable stops the run
// before any host is touched.
import type { Answers, Host } from '../../answers/schema.js';
import { resolveCredentials, type ProvidedSecrets, type SshCredentials } from './credentials.js';
import { DryRunTransport } from './dry-run.js';
import { KnownHosts } from './known-hosts.js';
import { LocalTransport } from './local.js';
import { SshTransport } from './ssh.js';
import type { Transport } from './types.js';
import { knownHostsFile } from '../../state/paths.js';

export type TransportKind = 'ssh' | 'local' | 'dry-run';

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
): TransportSetup {
  if (kind === 'dry-run') return { factory: (h) => new DryRunTransport(h.name), secrets: [] };
  if (kind === 'local') return { factory: (h) => new LocalTransport(h.name), secrets: [] };
  const creds = new Map<string, SshCredentials>(
    a.hosts.map((h) => [h.name, resolveCredentials(a, h, process.env, provided)]),
  );
  const known = new KnownHosts(knownHostsFile(stateRoot));
  const secrets = [...creds.values()]
    .flatMap((c) => [c.password, c.sudoPassword, c.passphrase])
    .filter((x): x is string => !!x);
  return {
    factory: (h) => new SshTransport(h.name, h.address, creds.get(h.name)!, { knownHosts: known, onNotice }),
    secrets,
  };
}
