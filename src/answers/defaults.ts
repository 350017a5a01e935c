// Every default of the answers file, in one place. The schema applies them; docs and the JSON Schema
// show them. kubernetesVersion's default is the catalog's `recommended` minor, so it lives there.

export const DEFAULTS = {
  ssh: { user: 'root', port: 22, strictHostKeys: false },
  loadBalancer: {
    mode: 'haproxy-keepalived',
    port: 8443,
    virtualRouterId: 51,
    unicast: false,
    stats: false,
  },
  /** Used by `render` when no host facts are known; the engine detects the real interface per host. */
  fallbackInterface: 'eth0',
  network: {
    // kubeadm's own defaults for the pod and service networks.
    podCIDR: '10.244.0.0/16',
    serviceCIDR: '10.96.0.0/12',
    cni: 'calico',
    // nftables is GA (1.33) and kube-proxy's way forward; IPVS (the seed's choice) is deprecated, and
    // kubeadm warns about it from 1.35. The seed example keeps ipvs explicitly.
    proxyMode: 'nftables',
    dnsDomain: 'cluster.local',
  },
  mirror: 'official',
  addons: { dashboard: 'none' },
  // kubeadm's certificates last a year; a monthly timer on each control plane renews them.
  system: { firewall: 'open', certRenewal: 'timer' },
} as const;

export const API_VERSION = 'k8sha-wizard/v1';

/** kube-apiserver's port on every control plane (kubeadm's bindPort); the load balancer sits in front. */
export const APISERVER_PORT = 6443;

/**
 * How the VIP is held. haproxy-keepalived: keepalived (VRRP) moves the VIP, haproxy on every control
 * plane balances the LB port over all apiservers. kube-vip: a static pod on every control plane holds
 * the VIP by ARP with leader election; clients reach the holder's own apiserver on 6443.
 */
export const LB_MODES = ['haproxy-keepalived', 'kube-vip'] as const;
export type LbMode = (typeof LB_MODES)[number];

/** The LB port when the answers give none: haproxy needs its own port; kube-vip serves the apiserver's. */
export function defaultLbPort(mode: LbMode): number {
  return mode === 'kube-vip' ? APISERVER_PORT : DEFAULTS.loadBalancer.port;
}
