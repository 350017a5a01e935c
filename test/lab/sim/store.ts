// The cluster's shared state: stands in for etcd. It lives in the lab directory, which no host
// overlays, so every simulated apiserver (on any control plane) reads and writes the same data.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { host, now, writeJsonAtomic } from './env.js';

export interface BootstrapToken {
  id: string;
  secret: string;
  expiresAt: number;
  description?: string;
}

export interface ClusterNode {
  name: string;
  role: 'control-plane' | 'worker';
  address: string;
  os: string;
  kubeletVersion: string;
  containerRuntime: string;
  joinedAt: number;
}

export interface StoredObject {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  hash: string;
}

export interface Cluster {
  clusterName: string;
  endpoint: string;
  kubernetesVersion: string;
  caCertPem: string;
  caCertHash: string;
  certSANs: string[];
  podSubnet: string;
  serviceSubnet: string;
  dnsDomain: string;
  proxyMode: string;
  imageRepository: string;
  tokens: BootstrapToken[];
  uploadedCerts?: { keyHash: string; uploadedAt: number; caCertPem: string; caKeyPem: string };
  nodes: Record<string, ClusterNode>;
  objects: StoredObject[];
  cni?: string;
  createdAt: number;
}

export function storeDir(): string {
  return join(host().sharedDir, 'store');
}

const clusterFile = () => join(storeDir(), 'cluster.json');

export function readCluster(): Cluster | undefined {
  const p = clusterFile();
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as Cluster) : undefined;
}

/** Read-modify-write under a lock (mkdir is atomic); a lock older than 10 s is stale. */
export function updateCluster<T>(
  fn: (c: Cluster | undefined) => { cluster: Cluster | undefined; result: T },
): T {
  const dir = storeDir();
  mkdirSync(dir, { recursive: true });
  const lock = join(dir, '.lock');
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      try {
        if (Date.now() - statSync(lock).mtimeMs > 10_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        // raced with its owner
      }
      if (Date.now() > deadline) throw new Error('lab store: could not take the lock');
      const until = Date.now() + 20;
      while (Date.now() < until) {
        /* spin briefly */
      }
    }
  }
  try {
    const { cluster, result } = fn(readCluster());
    if (cluster) writeJsonAtomic(clusterFile(), cluster, 0o600);
    else rmSync(clusterFile(), { force: true });
    return result;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** How many times a cluster was created by `kubeadm init` in this lab (tests: "init ran once"). */
export function bumpInitCount(): number {
  const p = join(storeDir(), 'init-count');
  const n = (existsSync(p) ? Number(readFileSync(p, 'utf8')) : 0) + 1;
  writeFileSync(p, String(n));
  return n;
}

export function validTokens(c: Cluster): BootstrapToken[] {
  const t = now();
  return c.tokens.filter((x) => x.expiresAt > t);
}

// ---- etcd membership stand-in: each apiserver heartbeats; quorum = a majority of control planes.

const membersDir = () => join(storeDir(), 'members');

export function heartbeat(node: string): void {
  mkdirSync(membersDir(), { recursive: true });
  writeFileSync(join(membersDir(), node), String(Date.now()));
}

export function dropMember(node: string): void {
  rmSync(join(membersDir(), node), { force: true });
}

export function quorum(c: Cluster): { alive: string[]; members: string[]; ok: boolean } {
  const members = Object.values(c.nodes)
    .filter((n) => n.role === 'control-plane')
    .map((n) => n.name);
  const dir = membersDir();
  const beats = existsSync(dir) ? readdirSync(dir) : [];
  const alive = members.filter(
    (m) => beats.includes(m) && Date.now() - Number(readFileSync(join(dir, m), 'utf8')) < 4000,
  );
  return { alive, members, ok: members.length > 0 && alive.length * 2 > members.length };
}
