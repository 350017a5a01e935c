// Where the tool keeps its state: $K8SHA_STATE_DIR, else $XDG_STATE_HOME/k8sha-wizard, else
// ~/.local/state/k8sha-wizard. One directory per cluster holds its secrets, journal and logs.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function stateRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.K8SHA_STATE_DIR) return env.K8SHA_STATE_DIR;
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'k8sha-wizard');
}

export function clusterStateDir(cluster: string, root = stateRoot()): string {
  return join(root, 'clusters', cluster);
}

export function knownHostsFile(root = stateRoot()): string {
  return join(root, 'known_hosts');
}
