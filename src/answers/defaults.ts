// Every default of the answers file, in one place. The schema applies them; docs and the JSON Schema
// show them. kubernetesVersion's default is the catalog's `recommended` minor, so it lives there.

export const DEFAULTS = {
  ssh: { user: 'root', port: 22, strictHostKeys: false },
  loadBalancer: { port: 8443, virtualRouterId: 51, unicast: false, stats: false },
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
