// /etc/kubernetes/kubeadm-config.yaml. The first control plane gets Init + Cluster + Kubelet +
// KubeProxy configuration; every other node a JoinConfiguration. The endpoint is always the load
// balancer (VIP:port), never one node, and the VIP is always in the apiserver certificate.
import { stringify } from 'yaml';
import {
  controlPlanes,
  apiEndpointText,
  effectiveMirror,
  initNode,
  resolvedVersion,
  vipAddress,
  workers,
} from '../answers/model.js';
import { APISERVER_PORT } from '../answers/defaults.js';
import type { Answers, Host } from '../answers/schema.js';
import type { Catalog } from '../catalog/schema.js';
import { CONTAINERD_SOCKET } from './node-basics.js';
import { GENERATED_HEADER, type RenderedFile, type Secrets } from './types.js';

/** Each control plane's own apiserver, behind the load balancer's port. */
export const APISERVER_BIND_PORT = APISERVER_PORT;
export const LOCAL_APISERVER_HEALTHZ = `https://127.0.0.1:${APISERVER_BIND_PORT}/healthz`;

export const KUBEADM_CONFIG_PATH = '/etc/kubernetes/kubeadm-config.yaml';
/** Bootstrap tokens are short-lived; the engine mints a fresh one on resume. Never "0" (forever). */
export const BOOTSTRAP_TOKEN_TTL = '2h0m0s';

type Api = 'kubeadm.k8s.io/v1beta3' | 'kubeadm.k8s.io/v1beta4';

/** v1beta4 made extra args a list of {name, value}; v1beta3 keeps a string map. */
function extraArgs(api: Api, args: Record<string, string>): unknown {
  return api === 'kubeadm.k8s.io/v1beta4'
    ? Object.entries(args).map(([name, value]) => ({ name, value }))
    : args;
}

export function certSANs(a: Answers): string[] {
  const sans = [
    vipAddress(a),
    ...controlPlanes(a).flatMap((h) => [h.name, h.address]),
    ...(a.loadBalancer?.extraSANs ?? []),
    '127.0.0.1',
    'localhost',
  ];
  return [...new Set(sans.filter((s): s is string => !!s))];
}

function nodeRegistration(api: Api, a: Answers, h: Host): Record<string, unknown> {
  const reg: Record<string, unknown> = {
    name: h.name,
    criSocket: CONTAINERD_SOCKET,
    imagePullPolicy: 'IfNotPresent',
    // Pin the node IP so multi-homed hosts register the address from the answers.
    kubeletExtraArgs: extraArgs(api, { 'node-ip': h.address }),
  };
  // With no workers, control planes must accept workloads (CoreDNS, Calico controllers, add-ons).
  if (h.role === 'control-plane' && workers(a).length === 0) reg.taints = [];
  return reg;
}

function renderInit(api: Api, a: Answers, catalog: Catalog, s: Secrets, h: Host): string {
  const v = resolvedVersion(a, catalog);
  const init: Record<string, unknown> = {
    apiVersion: api,
    kind: 'InitConfiguration',
    bootstrapTokens: [
      {
        token: s.bootstrapToken,
        description: 'k8sha-wizard: joins nodes during the install',
        ttl: BOOTSTRAP_TOKEN_TTL,
        usages: ['signing', 'authentication'],
        groups: ['system:bootstrappers:kubeadm:default-node-token'],
      },
    ],
    certificateKey: s.certificateKey,
    localAPIEndpoint: { advertiseAddress: h.address, bindPort: APISERVER_BIND_PORT },
    nodeRegistration: nodeRegistration(api, a, h),
  };
  if (api === 'kubeadm.k8s.io/v1beta4') init.timeouts = { controlPlaneComponentHealthCheck: '4m0s' };

  const apiServer: Record<string, unknown> = { certSANs: certSANs(a) };
  if (api === 'kubeadm.k8s.io/v1beta3') apiServer.timeoutForControlPlane = '4m0s';
  const cluster = {
    apiVersion: api,
    kind: 'ClusterConfiguration',
    clusterName: a.cluster.name,
    kubernetesVersion: `v${v.patch}`,
    controlPlaneEndpoint: apiEndpointText(a),
    imageRepository: effectiveMirror(a, catalog).imageRepository,
    networking: {
      podSubnet: a.network.podCIDR,
      serviceSubnet: a.network.serviceCIDR,
      dnsDomain: a.network.dnsDomain,
    },
    apiServer,
    etcd: { local: { dataDir: '/var/lib/etcd' } },
  };
  const kubelet = {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    // Must match containerd's SystemdCgroup = true.
    cgroupDriver: 'systemd',
  };
  const proxy: Record<string, unknown> = {
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    mode: a.network.proxyMode,
  };
  if (a.network.proxyMode === 'ipvs') {
    const vip = vipAddress(a);
    // strictARP for ARP-announced service IPs; excludeCIDRs keeps kube-proxy's IPVS cleanup off the VIP.
    proxy.ipvs = { scheduler: 'rr', strictARP: true, ...(vip ? { excludeCIDRs: [`${vip}/32`] } : {}) };
  }
  return [init, cluster, kubelet, proxy].map((d) => stringify(d, { lineWidth: 0 })).join('---\n');
}

function renderJoin(api: Api, a: Answers, s: Secrets, h: Host): string {
  const join: Record<string, unknown> = {
    apiVersion: api,
    kind: 'JoinConfiguration',
    discovery: {
      bootstrapToken: {
        apiServerEndpoint: apiEndpointText(a),
        token: s.bootstrapToken,
        caCertHashes: [s.caCertHash],
      },
      ...(api === 'kubeadm.k8s.io/v1beta3' ? { timeout: '5m0s' } : {}),
    },
    nodeRegistration: nodeRegistration(api, a, h),
  };
  if (h.role === 'control-plane') {
    join.controlPlane = {
      localAPIEndpoint: { advertiseAddress: h.address, bindPort: APISERVER_BIND_PORT },
      certificateKey: s.certificateKey,
    };
  }
  if (api === 'kubeadm.k8s.io/v1beta4') join.timeouts = { discovery: '5m0s' };
  return stringify(join, { lineWidth: 0 });
}

export function renderKubeadmConfig(a: Answers, catalog: Catalog, s: Secrets, h: Host): RenderedFile {
  const api = resolvedVersion(a, catalog).entry.kubeadmApiVersion;
  const isInit = h.name === initNode(a).name;
  const body = isInit ? renderInit(api, a, catalog, s, h) : renderJoin(api, a, s, h);
  const what = isInit
    ? `kubeadm init: endpoint ${apiEndpointText(a)}, pods ${a.network.podCIDR}, services ${a.network.serviceCIDR}, kube-proxy ${a.network.proxyMode}`
    : `kubeadm join as ${h.role === 'control-plane' ? 'a control plane' : 'a worker'} through ${apiEndpointText(a)}`;
  return {
    path: KUBEADM_CONFIG_PATH,
    mode: 0o600,
    kind: 'file',
    secret: true,
    purpose: what,
    content: `# ${GENERATED_HEADER}\n${body}`,
  };
}
