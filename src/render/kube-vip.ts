// /etc/kubernetes/manifests/kube-vip.yaml on every control plane (loadBalancer.mode kube-vip): a
// static pod that holds the VIP by ARP with leader election (the Lease kube-system/plndr-cp-lock).
// Only the VIP moves: clients reach the holder's own apiserver on 6443, so there is no haproxy.
import { stringify } from 'yaml';
import { vipAddress, vrrpInterface, type HostFacts } from '../answers/model.js';
import type { Answers, Host } from '../answers/schema.js';
import type { Catalog } from '../catalog/schema.js';
import { APISERVER_BIND_PORT } from './kubeadm.js';
import { GENERATED_HEADER, type RenderedFile } from './types.js';

export const KUBE_VIP_MANIFEST_PATH = '/etc/kubernetes/manifests/kube-vip.yaml';
export const KUBE_VIP_LEASE = 'plndr-cp-lock';
/** Where the pod sees its kubeconfig (kube-vip's default --k8sConfigPath). */
const POD_KUBECONFIG = '/etc/kubernetes/admin.conf';
/**
 * Since 1.29 admin.conf has its rights through a ClusterRoleBinding that `kubeadm init` creates only
 * after the API is up through the VIP. On the first control plane, during init, kube-vip must use
 * super-admin.conf (system:masters); afterwards it is switched back (kube-vip#684, kubespray#11229).
 */
export const SUPER_ADMIN_CONF = '/etc/kubernetes/super-admin.conf';

export function kubeVipImage(a: Answers, catalog: Catalog): string {
  const kv = catalog.kubeVip;
  if (!kv) throw new Error('the catalog names no kube-vip image (validation should have caught this)');
  const repo = a.mirrorOverrides?.imageRepository;
  return `${repo ? `${repo}/kube-vip` : kv.image}:${kv.version}`;
}

export interface KubeVipOptions {
  /** The first control plane before and during `kubeadm init`: mount super-admin.conf. */
  bootstrap?: boolean;
}

export function renderKubeVip(
  a: Answers,
  catalog: Catalog,
  h: Host,
  facts?: HostFacts,
  o: KubeVipOptions = {},
): RenderedFile {
  const vip = vipAddress(a);
  if (!vip) throw new Error('renderKubeVip needs a loadBalancer');
  const iface = vrrpInterface(a, h, facts).name;
  const kubeconfig = o.bootstrap ? SUPER_ADMIN_CONF : POD_KUBECONFIG;
  const env: [string, string][] = [
    ['vip_arp', 'true'],
    ['port', String(APISERVER_BIND_PORT)],
    ['vip_interface', iface],
    ['vip_cidr', '32'],
    ['cp_enable', 'true'],
    ['cp_namespace', 'kube-system'],
    ['vip_leaderelection', 'true'],
    ['vip_leasename', KUBE_VIP_LEASE],
    ['vip_leaseduration', '5'],
    ['vip_renewdeadline', '3'],
    ['vip_retryperiod', '1'],
    ['address', vip],
    // The node's own apiserver, not the VIP that admin.conf names: otherwise, after every holder went
    // down, kube-vip waits on the VIP it should bring up (dell/omnia#4992).
    ['kubernetes_addr', `${h.address}:${APISERVER_BIND_PORT}`],
  ];
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'kube-vip', namespace: 'kube-system' },
    spec: {
      containers: [
        {
          name: 'kube-vip',
          image: kubeVipImage(a, catalog),
          imagePullPolicy: 'IfNotPresent',
          args: ['manager'],
          env: env.map(([name, value]) => ({ name, value })),
          securityContext: { capabilities: { add: ['NET_ADMIN', 'NET_RAW'] } },
          volumeMounts: [{ name: 'kubeconfig', mountPath: POD_KUBECONFIG }],
        },
      ],
      hostAliases: [{ hostnames: ['kubernetes'], ip: '127.0.0.1' }],
      hostNetwork: true,
      volumes: [{ name: 'kubeconfig', hostPath: { path: kubeconfig } }],
    },
  };
  return {
    path: KUBE_VIP_MANIFEST_PATH,
    mode: 0o600,
    kind: 'file',
    purpose: o.bootstrap
      ? `kube-vip during kubeadm init: holds ${vip} on ${iface} by ARP, with super-admin.conf until init has made admin.conf's RBAC`
      : `kube-vip: holds ${vip} on ${iface} by ARP with leader election; clients reach the holder's apiserver on :${APISERVER_BIND_PORT}`,
    content: `# ${GENERATED_HEADER}\n${stringify(pod, { lineWidth: 0 })}`,
  };
}
