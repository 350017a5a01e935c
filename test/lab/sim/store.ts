// What the lab shares between hosts besides the network: a counter of `kubeadm init` runs (tests
// assert "init ran once"). The cluster's own state lives in the real etcd of the control planes.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { host } from './env.js';

export function storeDir(): string {
  return join(host().sharedDir, 'store');
}

/** How many times a cluster was created by `kubeadm init` in this lab. */
export function bumpInitCount(): number {
  mkdirSync(storeDir(), { recursive: true });
  const p = join(storeDir(), 'init-count');
  const n = (existsSync(p) ? Number(readFileSync(p, 'utf8')) : 0) + 1;
  writeFileSync(p, String(n));
  return n;
}
