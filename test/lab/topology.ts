// Which hosts the lab simulates: the seed's five by default, more on request, in 172.16.100.0/24.
import { LAB_OSES, labOs } from './os-matrix.js';

/** A key of LAB_OSES (rocky-9, ubuntu-24.04, …). */
export type LabOs = string;
/**
 * One OS for every host (a key, or rocky / ubuntu), or `mixed`: host i gets LAB_OSES[i], going round;
 * `mixed+N` starts at LAB_OSES[N], so two labs can cover the whole matrix between them.
 */
export type OsChoice = string;

export interface LabHost {
  name: string;
  address: string;
  role: 'control-plane' | 'worker';
  os: LabOs;
  /** Index used for short link names (IFNAMSIZ is 15). */
  index: number;
}

export interface LabTopology {
  subnet: string;
  prefix: number;
  vip: string;
  /** The operator namespace's address (no default route). */
  operator: string;
  hosts: LabHost[];
}

/**
 * Every name the lab makes starts with this. Two labs can run side by side under different prefixes
 * (the test runner gives its second worker its own; see test/helpers/lab-worker.ts).
 */
export const LAB_PREFIX = (() => {
  const p = process.env.K8SHA_LAB_PREFIX ?? 'k8lab';
  if (!/^k8lab[0-9]?$/.test(p)) throw new Error(`K8SHA_LAB_PREFIX must be k8lab or k8lab<digit>, not ${p}`);
  return p;
})();
const NET = '172.16.100.';
const SEED_MASTERS = [100, 120, 160];
const SEED_WORKERS = [180, 200];
const VIP = 150;
const OPERATOR = 2;
export const MAX_WORKERS = 100;
export const MAX_MASTERS = 7;

export function labTopology(masters = 3, workers = 2, os: OsChoice = 'mixed'): LabTopology {
  if (!Number.isInteger(masters) || masters < 1 || masters > MAX_MASTERS)
    throw new Error(`--masters must be 1..${MAX_MASTERS}`);
  if (!Number.isInteger(workers) || workers < 0 || workers > MAX_WORKERS)
    throw new Error(`--workers must be 0..${MAX_WORKERS}`);
  const taken = new Set<number>([0, 1, OPERATOR, VIP, 255, ...SEED_MASTERS, ...SEED_WORKERS]);
  let next = 3;
  const free = (): number => {
    while (taken.has(next)) next++;
    if (next > 254) throw new Error('the lab subnet 172.16.100.0/24 is full');
    taken.add(next);
    return next;
  };
  const hosts: LabHost[] = [];
  const mixed = /^mixed(?:\+(\d+))?$/.exec(os);
  const single = mixed ? undefined : labOs(os).key; // throws on an unknown OS
  const osFor = (i: number): LabOs =>
    single ?? LAB_OSES[(i + Number(mixed?.[1] ?? 0)) % LAB_OSES.length]!.key;
  for (let i = 0; i < masters; i++) {
    const octet = SEED_MASTERS[i] ?? free();
    hosts.push({
      name: `master${pad(i + 1)}`,
      address: NET + octet,
      role: 'control-plane',
      os: osFor(hosts.length),
      index: hosts.length,
    });
  }
  for (let i = 0; i < workers; i++) {
    const octet = SEED_WORKERS[i] ?? free();
    hosts.push({
      name: `worker${pad(i + 1)}`,
      address: NET + octet,
      role: 'worker',
      os: osFor(hosts.length),
      index: hosts.length,
    });
  }
  return { subnet: `${NET}0/24`, prefix: 24, vip: NET + VIP, operator: NET + OPERATOR, hosts };
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

export const nsName = (host: string) => `${LAB_PREFIX}-${host}`;
export const SWITCH_NS = `${LAB_PREFIX}-sw`;
export const OPERATOR_NS = `${LAB_PREFIX}-ws`;
export const BRIDGE = 'br0';
/** The switch-side end of a host's veth pair. */
export const switchPort = (index: number) => `p${index}`;
