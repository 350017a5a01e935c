// A control plane's files, laid out as kubeadm lays them out: the PKI under /etc/kubernetes/pki
// (cluster CA, front-proxy CA, etcd CA, service-account keys, and each component's certificates),
// the kubeconfigs, and the static pod manifests whose command lines the kubelet stand-in runs.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { write } from '../env.js';
import { kubeconfigText } from '../kubeconfig.js';
import { createCa, createSaKeys, signCert } from '../pki.js';
import { PKI } from './api.js';

export interface ControlPlaneIdentity {
  nodeName: string;
  address: string;
  clusterName: string;
  endpoint: string;
  certSANs: string[];
  dnsDomain: string;
  serviceSubnet: string;
  podSubnet: string;
  imageRepository: string;
  kubernetesVersion: string;
}

function serviceIp(cidr: string): string {
  const [net] = cidr.split('/');
  const p = net!.split('.').map(Number);
  p[3] = p[3]! + 1;
  return p.join('.');
}

const have = (...files: string[]) => files.every((f) => existsSync(f));

/** The CAs and the service-account keys: made by init, downloaded by a control-plane join. */
export function ensureAuthorities(): void {
  if (!have(`${PKI}/front-proxy-ca.crt`, `${PKI}/front-proxy-ca.key`))
    createCa(`${PKI}/front-proxy-ca.crt`, `${PKI}/front-proxy-ca.key`, 'front-proxy-ca');
  if (!have(`${PKI}/etcd/ca.crt`, `${PKI}/etcd/ca.key`))
    createCa(`${PKI}/etcd/ca.crt`, `${PKI}/etcd/ca.key`, 'etcd-ca');
  if (!have(`${PKI}/sa.key`, `${PKI}/sa.pub`)) createSaKeys(`${PKI}/sa.key`, `${PKI}/sa.pub`);
}

function leaf(
  name: string,
  ca: 'ca' | 'front-proxy-ca' | 'etcd/ca',
  req: Parameters<typeof signCert>[2],
): void {
  const { cert, key } = signCert(`${PKI}/${ca}.crt`, `${PKI}/${ca}.key`, req);
  write(`${PKI}/${name}.crt`, cert);
  write(`${PKI}/${name}.key`, key, 0o600);
}

export function apiserverSANs(id: ControlPlaneIdentity): { dns: string[]; ips: string[] } {
  const dns = new Set([
    'kubernetes',
    'kubernetes.default',
    'kubernetes.default.svc',
    `kubernetes.default.svc.${id.dnsDomain}`,
    id.nodeName,
  ]);
  const ips = new Set([serviceIp(id.serviceSubnet), id.address]);
  for (const s of [...id.certSANs, id.endpoint.replace(/:\d+$/, '')])
    (/^\d+\.\d+\.\d+\.\d+$/.test(s) ? ips : dns).add(s);
  return { dns: [...dns], ips: [...ips] };
}

/** Every leaf certificate of this control plane, from the CAs already in place. */
export function writeLeafCertificates(id: ControlPlaneIdentity): void {
  const sans = apiserverSANs(id);
  leaf('apiserver', 'ca', { cn: 'kube-apiserver', dnsNames: sans.dns, ips: sans.ips, server: true });
  leaf('apiserver-kubelet-client', 'ca', {
    cn: 'kube-apiserver-kubelet-client',
    org: 'kubeadm:cluster-admins',
    client: true,
  });
  leaf('front-proxy-client', 'front-proxy-ca', { cn: 'front-proxy-client', client: true });
  const etcdNames = { dnsNames: [id.nodeName, 'localhost'], ips: [id.address, '127.0.0.1'] };
  leaf('etcd/server', 'etcd/ca', { cn: id.nodeName, ...etcdNames, server: true, client: true });
  leaf('etcd/peer', 'etcd/ca', { cn: id.nodeName, ...etcdNames, server: true, client: true });
  leaf('etcd/healthcheck-client', 'etcd/ca', { cn: 'kube-etcd-healthcheck-client', client: true });
  leaf('apiserver-etcd-client', 'etcd/ca', { cn: 'kube-apiserver-etcd-client', client: true });
}

export function writeKubeconfigs(id: ControlPlaneIdentity, superAdmin: boolean): void {
  const ca = readFileSync(`${PKI}/ca.crt`, 'utf8');
  const mk = (cn: string, org?: string) =>
    signCert(`${PKI}/ca.crt`, `${PKI}/ca.key`, { cn, ...(org ? { org } : {}), client: true });
  const server = `https://${id.endpoint}`;
  write(
    '/etc/kubernetes/admin.conf',
    kubeconfigText(id.clusterName, 'kubernetes-admin', {
      server,
      ca,
      ...mk('kubernetes-admin', 'kubeadm:cluster-admins'),
    }),
    0o600,
  );
  if (superAdmin)
    write(
      '/etc/kubernetes/super-admin.conf',
      kubeconfigText(id.clusterName, 'kubernetes-super-admin', {
        server,
        ca,
        ...mk('kubernetes-super-admin', 'system:masters'),
      }),
      0o600,
    );
  const local = `https://${id.address}:6443`;
  for (const comp of ['controller-manager', 'scheduler'])
    write(
      `/etc/kubernetes/${comp}.conf`,
      kubeconfigText(id.clusterName, `system:kube-${comp}`, {
        server: local,
        ca,
        ...mk(`system:kube-${comp}`),
      }),
      0o600,
    );
  // ControlPlaneKubeletLocalMode (GA in 1.35): a control plane's kubelet talks to its local apiserver.
  write(
    '/etc/kubernetes/kubelet.conf',
    kubeconfigText(id.clusterName, `system:node:${id.nodeName}`, {
      server: local,
      ca,
      ...mk(`system:node:${id.nodeName}`, 'system:nodes'),
    }),
    0o600,
  );
}

function manifest(
  name: string,
  image: string,
  command: string[],
  annotations: Record<string, string> = {},
): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...(Object.keys(annotations).length ? { annotations } : {}),
      labels: { component: name, tier: 'control-plane' },
      name,
      namespace: 'kube-system',
    },
    spec: {
      containers: [{ command, image, imagePullPolicy: 'IfNotPresent', name }],
      hostNetwork: true,
      priorityClassName: 'system-node-critical',
    },
  });
}

export const ETCD_IMAGE_TAG = '3.6.6-0';

/** etcd's static pod: the first member of a new cluster, or a member joining `initialCluster`. */
export function writeEtcdManifest(id: ControlPlaneIdentity, initialCluster: string, existing: boolean): void {
  const a = id.address;
  const cmd = [
    'etcd',
    `--advertise-client-urls=https://${a}:2379`,
    `--cert-file=${PKI}/etcd/server.crt`,
    '--client-cert-auth=true',
    '--data-dir=/var/lib/etcd',
    `--initial-advertise-peer-urls=https://${a}:2380`,
    `--initial-cluster=${initialCluster}`,
    ...(existing ? ['--initial-cluster-state=existing'] : []),
    `--key-file=${PKI}/etcd/server.key`,
    `--listen-client-urls=https://127.0.0.1:2379,https://${a}:2379`,
    '--listen-metrics-urls=http://127.0.0.1:2381',
    `--listen-peer-urls=https://${a}:2380`,
    `--name=${id.nodeName}`,
    `--peer-cert-file=${PKI}/etcd/peer.crt`,
    '--peer-client-cert-auth=true',
    `--peer-key-file=${PKI}/etcd/peer.key`,
    `--peer-trusted-ca-file=${PKI}/etcd/ca.crt`,
    '--snapshot-count=10000',
    `--trusted-ca-file=${PKI}/etcd/ca.crt`,
  ];
  mkdirSync('/var/lib/etcd', { recursive: true, mode: 0o700 });
  write(
    '/etc/kubernetes/manifests/etcd.yaml',
    manifest('etcd', `${id.imageRepository}/etcd:${ETCD_IMAGE_TAG}`, cmd, {
      'kubeadm.kubernetes.io/etcd.advertise-client-urls': `https://${a}:2379`,
    }),
    0o600,
  );
}

export function writeControlPlaneManifests(id: ControlPlaneIdentity): void {
  const apiserver = [
    'kube-apiserver',
    `--advertise-address=${id.address}`,
    '--allow-privileged=true',
    '--authorization-mode=Node,RBAC',
    `--client-ca-file=${PKI}/ca.crt`,
    '--enable-admission-plugins=NodeRestriction',
    '--enable-bootstrap-token-auth=true',
    `--etcd-cafile=${PKI}/etcd/ca.crt`,
    `--etcd-certfile=${PKI}/apiserver-etcd-client.crt`,
    `--etcd-keyfile=${PKI}/apiserver-etcd-client.key`,
    '--etcd-servers=https://127.0.0.1:2379',
    `--kubelet-client-certificate=${PKI}/apiserver-kubelet-client.crt`,
    `--kubelet-client-key=${PKI}/apiserver-kubelet-client.key`,
    '--secure-port=6443',
    `--service-account-issuer=https://kubernetes.default.svc.${id.dnsDomain}`,
    `--service-account-key-file=${PKI}/sa.pub`,
    `--service-account-signing-key-file=${PKI}/sa.key`,
    `--service-cluster-ip-range=${id.serviceSubnet}`,
    `--tls-cert-file=${PKI}/apiserver.crt`,
    `--tls-private-key-file=${PKI}/apiserver.key`,
  ];
  const v = id.kubernetesVersion.startsWith('v') ? id.kubernetesVersion : `v${id.kubernetesVersion}`;
  write(
    '/etc/kubernetes/manifests/kube-apiserver.yaml',
    manifest('kube-apiserver', `${id.imageRepository}/kube-apiserver:${v}`, apiserver, {
      'kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint': `${id.address}:6443`,
    }),
    0o600,
  );
  write(
    '/etc/kubernetes/manifests/kube-controller-manager.yaml',
    manifest('kube-controller-manager', `${id.imageRepository}/kube-controller-manager:${v}`, [
      'kube-controller-manager',
      '--kubeconfig=/etc/kubernetes/controller-manager.conf',
      '--leader-elect=true',
      ...(id.podSubnet ? [`--cluster-cidr=${id.podSubnet}`, '--allocate-node-cidrs=true'] : []),
    ]),
    0o600,
  );
  write(
    '/etc/kubernetes/manifests/kube-scheduler.yaml',
    manifest('kube-scheduler', `${id.imageRepository}/kube-scheduler:${v}`, [
      'kube-scheduler',
      '--kubeconfig=/etc/kubernetes/scheduler.conf',
      '--leader-elect=true',
    ]),
    0o600,
  );
}
