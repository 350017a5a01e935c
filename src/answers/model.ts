// Derived views of valid answers that every later stage needs: roles, effective SSH settings,
// the resolved version, the chosen mirror with overrides applied.
import type { Catalog, Mirror } from '../catalog/schema.js';
import { resolveKubernetesVersion, type ResolvedVersion } from '../catalog/resolve.js';
import { APISERVER_PORT, DEFAULTS } from './defaults.js';
import type { Answers, Host, SshSettings } from './schema.js';

export function controlPlanes(a: Answers): Host[] {
  return a.hosts.filter((h) => h.role === 'control-plane');
}

export function workers(a: Answers): Host[] {
  return a.hosts.filter((h) => h.role === 'worker');
}

/** The first control plane runs `kubeadm init`; the others join. */
export function initNode(a: Answers): Host {
  const first = controlPlanes(a)[0];
  if (!first) throw new Error('answers have no control plane (validation should have caught this)');
  return first;
}

export function effectiveSsh(a: Answers, h: Host): SshSettings {
  return { ...a.ssh, ...stripUndefined(h.ssh ?? {}) };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function resolvedVersion(a: Answers, catalog: Catalog): ResolvedVersion {
  const r = resolveKubernetesVersion(catalog, a.cluster.kubernetesVersion);
  if (!r.ok) throw new Error(`unresolvable version (validation should have caught this): ${r.message}`);
  return r.value;
}

/** The mirror preset with the answers' custom URLs laid over it. */
export function effectiveMirror(a: Answers, catalog: Catalog): Mirror {
  const base = catalog.mirrors[a.mirror];
  const o = a.mirrorOverrides;
  if (!o) return base;
  return {
    imageRepository: o.imageRepository ?? base.imageRepository,
    kubernetes: {
      rpm: o.kubernetes?.rpm ?? base.kubernetes.rpm,
      deb: o.kubernetes?.deb ?? base.kubernetes.deb,
    },
    dockerCe: {
      rpm: o.dockerCe?.rpm ?? base.dockerCe.rpm,
      deb: o.dockerCe?.deb ?? base.dockerCe.deb,
    },
  };
}

export interface HostFacts {
  /** The interface that carries the host's address, as detected on the host. */
  interface?: string;
  osFamily?: 'rhel' | 'debian';
  /** /etc/os-release ID for Debian-family hosts: ubuntu or debian. */
  distro?: string;
  codename?: string;
}
export type FactsByHost = Record<string, HostFacts | undefined>;

/** The VRRP interface: the host's own override, then the LB-wide one, then detection, then eth0. */
export function vrrpInterface(a: Answers, h: Host, facts?: HostFacts): { name: string; guessed: boolean } {
  const explicit = h.interface ?? a.loadBalancer?.interface ?? facts?.interface;
  return explicit ? { name: explicit, guessed: false } : { name: DEFAULTS.fallbackInterface, guessed: true };
}

export function apiEndpoint(a: Answers): { host: string; port: number } {
  const vip = vipAddress(a);
  if (a.loadBalancer && vip) return { host: vip, port: a.loadBalancer.port };
  return { host: initNode(a).address, port: APISERVER_PORT };
}

/** The API endpoint as host:port text. */
export function apiEndpointText(a: Answers): string {
  const e = apiEndpoint(a);
  return `${e.host}:${e.port}`;
}

/** keepalived holds the VIP and haproxy balances the LB port (the seed's load balancer). */
export function usesHaproxy(a: Answers): boolean {
  return a.loadBalancer?.mode === 'haproxy-keepalived';
}

/** kube-vip static pods hold the VIP; clients reach the holder's apiserver directly. */
export function usesKubeVip(a: Answers): boolean {
  return a.loadBalancer?.mode === 'kube-vip';
}

/** The VIP without its prefix (172.16.100.150 of 172.16.100.150/24). */
export function vipAddress(a: Answers): string | undefined {
  return a.loadBalancer ? addressOf(a.loadBalancer.vip) : undefined;
}

/** The address part of address/prefix. */
export function addressOf(cidr: string): string {
  return cidr.split('/')[0]!;
}
