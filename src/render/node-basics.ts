// Files every node gets regardless of role: /etc/hosts block, sysctl, kernel modules, crictl.
import type { Answers } from '../answers/schema.js';
import { GENERATED_HEADER, type RenderedFile } from './types.js';

export const HOSTS_BLOCK_BEGIN = '# BEGIN k8sha-wizard managed block';
export const HOSTS_BLOCK_END = '# END k8sha-wizard managed block';

export function renderHostsBlock(a: Answers): RenderedFile {
  const width = Math.max(...a.hosts.map((h) => h.address.length));
  const lines = a.hosts.map((h) => `${h.address.padEnd(width)}  ${h.name}`);
  return {
    path: '/etc/hosts',
    mode: 0o644,
    kind: 'managed-block',
    purpose: `every node resolves every other by name (cluster ${a.cluster.name}); the rest of /etc/hosts is kept`,
    content: [`${HOSTS_BLOCK_BEGIN} (cluster ${a.cluster.name})`, ...lines, HOSTS_BLOCK_END, ''].join('\n'),
  };
}

export function renderSysctl(): RenderedFile {
  return {
    path: '/etc/sysctl.d/k8s.conf',
    mode: 0o644,
    kind: 'file',
    purpose: 'kernel settings kubeadm and the CNI need (IP forwarding, bridged traffic through iptables)',
    content: [
      `# ${GENERATED_HEADER}`,
      '# kubeadm preflight requires ip_forward; the bridge settings are for the CNI (needs br_netfilter).',
      'net.ipv4.ip_forward                 = 1',
      'net.bridge.bridge-nf-call-iptables  = 1',
      'net.bridge.bridge-nf-call-ip6tables = 1',
      '',
    ].join('\n'),
  };
}

/** IPVS modules; nf_conntrack (not nf_conntrack_ipv4) on kernels >= 4.19. */
export const IPVS_MODULES = ['ip_vs', 'ip_vs_rr', 'ip_vs_wrr', 'ip_vs_sh', 'nf_conntrack'];

export function kernelModules(a: Answers): string[] {
  return ['overlay', 'br_netfilter', ...(a.network.proxyMode === 'ipvs' ? IPVS_MODULES : [])];
}

export function renderModulesLoad(a: Answers): RenderedFile {
  return {
    path: '/etc/modules-load.d/k8s.conf',
    mode: 0o644,
    kind: 'file',
    purpose: `kernel modules loaded at boot: containerd's overlay snapshotter, br_netfilter${a.network.proxyMode === 'ipvs' ? ', IPVS for kube-proxy' : ''}`,
    content: [`# ${GENERATED_HEADER}`, ...kernelModules(a), ''].join('\n'),
  };
}

export const CONTAINERD_SOCKET = 'unix:///run/containerd/containerd.sock';

export function renderCrictl(): RenderedFile {
  return {
    path: '/etc/crictl.yaml',
    mode: 0o644,
    kind: 'file',
    purpose: 'points crictl at containerd, so `crictl ps` works for debugging',
    content: [
      `# ${GENERATED_HEADER}`,
      `runtime-endpoint: ${CONTAINERD_SOCKET}`,
      `image-endpoint: ${CONTAINERD_SOCKET}`,
      'timeout: 10',
      '',
    ].join('\n'),
  };
}
