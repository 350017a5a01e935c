// Random valid topologies from a seeded generator, so a failure can be replayed from its seed.
import type { Plain } from './answers.js';

/** mulberry32: tiny deterministic PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const RESERVED = new Set([6443, 2379, 2380, 10250, 10257, 10259]);

export interface Topology {
  seed: number;
  answers: Plain;
  controlPlanes: number;
  workers: number;
  prefix: number;
  interfaces: string[];
}

/**
 * Hosts live in 192.168.0.0/16 (control planes in the VIP's subnet, workers anywhere in it), pods in
 * 10.0.0.0/9 and services in 10.128.0.0/12 or smaller, so the ranges never collide.
 */
export function randomTopology(seed: number): Topology {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));

  const controlPlanes = pick([1, 3, 5, 7] as const);
  const workers = pick([0, 0, 1, 2, 5, 20, 60, 100] as const);
  // The VIP subnet must hold every control plane plus the VIP, network and broadcast.
  const prefix = pick([20, 22, 23, 24, 25, 26, 27, 28] as const);
  const size = 2 ** (32 - prefix);
  const base = (192 << 24) | (168 << 16) | (int(0, 255) << 8);
  const net = (base & ~(size - 1)) >>> 0;
  const used = new Set<number>();
  const takeIn = (lo: number, hi: number): number => {
    for (;;) {
      const x = int(lo, hi);
      if (!used.has(x)) {
        used.add(x);
        return x;
      }
    }
  };
  const ip = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  const ifaces = ['eth0', 'ens192', 'enp0s3', 'bond0', 'eno1'];
  const lbIface = pick(ifaces);
  const hosts: Plain[] = [];
  const perHostIfaces: string[] = [lbIface];
  for (let i = 0; i < controlPlanes; i++) {
    const h: Plain = {
      name: `cp-${seed}-${i}`,
      address: ip(takeIn(net + 1, net + size - 2)),
      role: 'control-plane',
    };
    if (rnd() < 0.2) {
      h.interface = pick(ifaces);
      perHostIfaces.push(h.interface as string);
    }
    hosts.push(h);
  }
  const vip = takeIn(net + 1, net + size - 2);
  const lanBase = (192 << 24) | (168 << 16);
  for (let i = 0; i < workers; i++) {
    hosts.push({ name: `w${i}-${seed}`, address: ip(takeIn(lanBase + 1, lanBase + 65534)), role: 'worker' });
  }
  let port = int(1024, 65535);
  while (RESERVED.has(port)) port = int(1024, 65535);
  const podPrefix = pick([9, 12, 16] as const);
  const svcPrefix = pick([12, 16, 20, 24] as const);
  const answers: Plain = {
    apiVersion: 'k8sha-wizard/v1',
    cluster: { name: `t${seed}`, kubernetesVersion: pick(['1.35', '1.36', '1.37', '1.36.1'] as const) },
    hosts,
    loadBalancer: {
      vip: `${ip(vip)}/${prefix}`,
      port,
      interface: lbIface,
      virtualRouterId: int(1, 255),
      unicast: controlPlanes > 1 && rnd() < 0.3,
      stats: rnd() < 0.3,
    },
    network: {
      podCIDR: `10.0.0.0/${podPrefix}`,
      serviceCIDR: `10.128.0.0/${svcPrefix}`,
      proxyMode: pick(['ipvs', 'iptables', 'nftables'] as const),
    },
    mirror: pick(['official', 'aliyun'] as const),
    addons: { dashboard: pick(['none', 'kuboard'] as const) },
  };
  return { seed, answers, controlPlanes, workers, prefix, interfaces: perHostIfaces };
}
