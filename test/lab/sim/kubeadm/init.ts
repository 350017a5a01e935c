// `kubeadm init`: preflight, certificates (reusing a CA that is already there), kubeconfigs, a new
// one-member etcd and the control-plane static pods (run by the kubelet stand-in), the wait for the
// apiserver, then everything kubeadm writes through controlPlaneEndpoint (so a VIP missing from the
// certificate, or a load balancer that forwards nowhere, fails here as it does for real): the
// kubeadm-config, bootstrap tokens, cluster-info, uploaded certificates, CoreDNS and kube-proxy.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { fail, now, out, write } from '../env.js';
import type { KubeadmConfig } from '../kubeadm-config.js';
import { kubeconfigText } from '../kubeconfig.js';
import { kubeletSync } from '../kubelet.js';
import { caHash, createCa, keyMatchesCert } from '../pki.js';
import { bumpInitCount } from '../store.js';
import { setKubeletRunning } from '../units.js';
import { adminApi, goDuration, PKI, retrying, rfc3339, sleep, type Api } from './api.js';
import {
  ensureAuthorities,
  writeControlPlaneManifests,
  writeEtcdManifest,
  writeKubeconfigs,
  writeLeafCertificates,
  type ControlPlaneIdentity,
} from './control-plane.js';
import { ignoreSet, preflight, waitForKubelet } from './preflight.js';
import { bootstrapTokenSecret, uploadCertificates } from './tokens.js';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** /var/lib/kubelet/config.yaml and kubeadm-flags.env, as kubeadm's kubelet-start phase writes them. */
export function writeKubeletFiles(
  kubelet: Doc | undefined,
  nodeName: string,
  nodeIp: string,
  hostname: string,
): void {
  write(
    '/var/lib/kubelet/config.yaml',
    stringify({
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      kind: 'KubeletConfiguration',
      cgroupDriver: 'systemd',
      ...(kubelet ?? {}),
    }),
  );
  const args = [
    '--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock',
    `--node-ip=${nodeIp}`,
  ];
  if (nodeName !== hostname) args.push(`--hostname-override=${nodeName}`);
  write('/var/lib/kubelet/kubeadm-flags.env', `KUBELET_KUBEADM_ARGS="${args.join(' ')}"\n`);
}

export async function waitForApiserver(timeoutMs = 60_000): Promise<void> {
  out(
    '[wait-control-plane] Waiting for the kubelet to boot up the control plane as static Pods from directory "/etc/kubernetes/manifests"',
  );
  const start = Date.now();
  const { https } = await import('../http.js');
  for (;;) {
    await kubeletSync();
    try {
      const r = await https('https://127.0.0.1:6443/readyz', { insecure: true, timeoutMs: 2000 });
      if (r.status === 200) break;
    } catch {
      // not up yet
    }
    if (Date.now() - start > timeoutMs)
      fail(
        1,
        '[control-plane-check] kube-apiserver is not healthy after 4m0s\nerror execution phase wait-control-plane: failed while waiting for the control plane to start: kube-apiserver check failed at https://127.0.0.1:6443/livez: context deadline exceeded',
      );
    await sleep(300);
  }
  out(`[control-plane-check] kube-apiserver is healthy after ${((Date.now() - start) / 1000).toFixed(3)}s`);
}

async function upsert(api: Api, what: string, path: string, obj: Doc): Promise<void> {
  const name = obj.metadata.name as string;
  const r = await retrying(api, what, 'POST', path, obj);
  if (r.status === 409) await retrying(api, what, 'PUT', `${path}/${name}`, obj);
  else if (r.status >= 300) fail(1, `${what}: ${r.body.slice(0, 300)}`);
}

export function identity(
  cfg: KubeadmConfig,
  nodeName: string,
  address: string,
  endpoint: string,
): ControlPlaneIdentity {
  const c = cfg.cluster!;
  const net = c.networking ?? {};
  return {
    nodeName,
    address,
    clusterName: String(c.clusterName ?? 'kubernetes'),
    endpoint,
    certSANs: ((c.apiServer?.certSANs ?? []) as unknown[]).map(String),
    dnsDomain: String(net.dnsDomain ?? 'cluster.local'),
    serviceSubnet: String(net.serviceSubnet ?? '10.96.0.0/12'),
    podSubnet: String(net.podSubnet ?? ''),
    imageRepository: String(c.imageRepository ?? 'registry.k8s.io'),
    kubernetesVersion: String(c.kubernetesVersion),
  };
}

export async function init(
  argv: string[],
  cfg: KubeadmConfig,
  hostname: string,
  defaultAddress: string,
): Promise<void> {
  if (!cfg.init || !cfg.cluster)
    fail(
      1,
      'lab kubeadm: init is simulated with --config FILE holding InitConfiguration and ClusterConfiguration',
    );
  const nodeReg = cfg.init.nodeRegistration ?? {};
  const nodeName = String(nodeReg.name ?? hostname);
  const address = String(cfg.init.localAPIEndpoint?.advertiseAddress ?? defaultAddress);
  const endpoint = String(cfg.cluster.controlPlaneEndpoint ?? `${address}:6443`);
  out(`[init] Using Kubernetes version: ${cfg.cluster.kubernetesVersion}`);
  await preflight('init', ignoreSet(argv), nodeName);
  const id = identity(cfg, nodeName, address, endpoint);

  // [certs]: reuse a CA that is already there (kubeadm does), else make one.
  const hasCrt = existsSync(`${PKI}/ca.crt`);
  const hasKey = existsSync(`${PKI}/ca.key`);
  if (hasCrt && hasKey) {
    if (!keyMatchesCert(readFileSync(`${PKI}/ca.crt`, 'utf8'), readFileSync(`${PKI}/ca.key`, 'utf8')))
      fail(
        1,
        'error execution phase certs/ca: failure loading ca certificate authority: the certificate and the private key do not match',
      );
    out('[certs] Using existing ca certificate authority');
  } else if (hasCrt !== hasKey) {
    fail(
      1,
      `error execution phase certs/ca: failure loading ca certificate authority: couldn't load the ${hasCrt ? 'private key' : 'certificate'} file ${PKI}/ca.${hasCrt ? 'key' : 'crt'}`,
    );
  } else {
    createCa(`${PKI}/ca.crt`, `${PKI}/ca.key`);
    out('[certs] Generating "ca" certificate and key');
  }
  ensureAuthorities();
  writeLeafCertificates(id);
  out(
    `[certs] apiserver serving cert is signed for DNS names [${nodeName} kubernetes ...] and IPs [${[...new Set([address, endpoint.replace(/:\d+$/, ''), ...id.certSANs.filter((s) => /^\d/.test(s))])].join(' ')}]`,
  );
  writeKubeconfigs(id, true);
  out(
    '[kubeconfig] Writing "admin.conf" kubeconfig file\n[kubeconfig] Writing "super-admin.conf" kubeconfig file\n[kubeconfig] Writing "kubelet.conf" kubeconfig file',
  );
  writeEtcdManifest(id, `${nodeName}=https://${address}:2380`, false);
  out('[etcd] Creating static Pod manifest for local etcd in "/etc/kubernetes/manifests"');
  writeControlPlaneManifests(id);
  out(
    '[control-plane] Creating static Pod manifests for "kube-apiserver", "kube-controller-manager" and "kube-scheduler"',
  );
  writeKubeletFiles(cfg.kubelet, nodeName, address, hostname);
  out(
    '[kubelet-start] Writing kubelet configuration to file "/var/lib/kubelet/config.yaml"\n[kubelet-start] Starting the kubelet',
  );
  setKubeletRunning();
  await waitForKubelet('wait-control-plane');
  await waitForApiserver();

  // From here on, as kubeadm does: through controlPlaneEndpoint with the super-admin credentials.
  const api = adminApi('/etc/kubernetes/super-admin.conf');
  const clusterDoc = { ...cfg.cluster, apiVersion: cfg.cluster.apiVersion, kind: 'ClusterConfiguration' };
  out(
    '[upload-config] Storing the configuration used in ConfigMap "kubeadm-config" in the "kube-system" Namespace',
  );
  await upsert(
    api,
    'error execution phase upload-config/kubeadm: error uploading the kubeadm ClusterConfiguration',
    '/api/v1/namespaces/kube-system/configmaps',
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'kubeadm-config', namespace: 'kube-system' },
      data: { ClusterConfiguration: stringify(clusterDoc) },
    },
  );
  await upsert(
    api,
    'error execution phase upload-config/kubelet: error creating kubelet configuration ConfigMap',
    '/api/v1/namespaces/kube-system/configmaps',
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'kubelet-config', namespace: 'kube-system' },
      data: {
        kubelet: stringify({
          apiVersion: 'kubelet.config.k8s.io/v1beta1',
          kind: 'KubeletConfiguration',
          cgroupDriver: 'systemd',
          ...(cfg.kubelet ?? {}),
        }),
      },
    },
  );
  const certKey = String(cfg.init.certificateKey ?? randomBytes(32).toString('hex'));
  if (argv.includes('--upload-certs')) {
    await uploadCertificates(api, certKey);
    out(
      `[upload-certs] Storing the certificates in Secret "kubeadm-certs" in the "kube-system" Namespace\n[upload-certs] Using certificate key:\n${certKey}`,
    );
  }
  out(
    `[mark-control-plane] Marking the node ${nodeName} as control-plane by adding the labels: [node-role.kubernetes.io/control-plane node.kubernetes.io/exclude-from-external-load-balancers]`,
  );
  await markControlPlane(
    api,
    nodeName,
    (nodeReg.taints as Doc[] | undefined) ?? [
      { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' },
    ],
  );

  out('[bootstrap-token] Configuring bootstrap tokens, cluster-info ConfigMap, RBAC Roles');
  const tokens = ((cfg.init.bootstrapTokens ?? []) as Doc[]).map((t) => String(t.token));
  for (const t of (cfg.init.bootstrapTokens ?? []) as Doc[]) {
    const ttl = goDuration(String(t.ttl ?? '24h0m0s'));
    if (ttl === undefined || ttl < 0)
      fail(1, `bootstrapTokens[0].ttl: Invalid value: "${t.ttl}": time: invalid duration`);
    await upsert(
      api,
      'error execution phase bootstrap-token: error creating bootstrap token',
      '/api/v1/namespaces/kube-system/secrets',
      bootstrapTokenSecret(String(t.token), ttl, String(t.description ?? '')),
    );
  }
  if (tokens.length === 0) {
    const tok = `${randomBytes(3).toString('hex')}.${randomBytes(8).toString('hex')}`;
    tokens.push(tok);
    await upsert(
      api,
      'error execution phase bootstrap-token',
      '/api/v1/namespaces/kube-system/secrets',
      bootstrapTokenSecret(tok, 24 * 3600e3, 'default kubeadm bootstrap token'),
    );
  }
  const caPem = readFileSync(`${PKI}/ca.crt`, 'utf8');
  await upsert(
    api,
    'error execution phase bootstrap-token: error creating the cluster-info ConfigMap',
    '/api/v1/namespaces/kube-public/configmaps',
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cluster-info', namespace: 'kube-public' },
      data: { kubeconfig: kubeconfigText('', '', { server: `https://${endpoint}`, ca: caPem }) },
    },
  );
  await upsert(
    api,
    'error execution phase bootstrap-token',
    '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'kubeadm:cluster-admins' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'kubeadm:cluster-admins' }],
    },
  );
  out('[addons] Applied essential addon: CoreDNS');
  await addons(api, cfg);
  out('[addons] Applied essential addon: kube-proxy');
  const count = bumpInitCount();
  write(
    '/var/lib/k8sha-lab/kubeadm-init.log',
    `${new Date(now()).toISOString()} init #${count} of this lab on ${nodeName}\n`,
  );
  const hash = caHash(caPem);
  out(`
Your Kubernetes control-plane has initialized successfully!

To start using your cluster, you need to run the following as a regular user:

  mkdir -p $HOME/.kube
  sudo cp -i /etc/kubernetes/admin.conf $HOME/.kube/config
  sudo chown $(id -u):$(id -g) $HOME/.kube/config

You can now join any number of control-plane nodes running the following command on each as root:

  kubeadm join ${endpoint} --token ${tokens[0]} \\
	--discovery-token-ca-cert-hash ${hash} \\
	--control-plane --certificate-key ${certKey}

Then you can join any number of worker nodes by running the following on each as root:

kubeadm join ${endpoint} --token ${tokens[0]} \\
	--discovery-token-ca-cert-hash ${hash}`);
}

/** Wait for the kubelet to register the node, then label and taint it as a control plane. */
export async function markControlPlane(api: Api, nodeName: string, taints: Doc[]): Promise<void> {
  const start = Date.now();
  for (;;) {
    const r = await api.call('GET', `/api/v1/nodes/${nodeName}`).catch(() => undefined);
    if (r?.status === 200) break;
    if (Date.now() - start > 60_000)
      fail(
        1,
        `error execution phase mark-control-plane: error applying control-plane label and taints: timed out waiting for the node "${nodeName}" to be registered by the kubelet`,
      );
    await kubeletSync();
    await sleep(300);
  }
  await retrying(
    api,
    'error execution phase mark-control-plane',
    'PATCH',
    `/api/v1/nodes/${nodeName}`,
    {
      metadata: {
        labels: {
          'node-role.kubernetes.io/control-plane': '',
          'node.kubernetes.io/exclude-from-external-load-balancers': '',
        },
      },
      spec: { taints },
    },
    20_000,
    'application/merge-patch+json',
  );
}

async function addons(api: Api, cfg: KubeadmConfig): Promise<void> {
  const repo = String(cfg.cluster?.imageRepository ?? 'registry.k8s.io');
  const cpToleration = [
    { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' },
    { key: 'CriticalAddonsOnly', operator: 'Exists' },
  ];
  const apps = '/apis/apps/v1/namespaces/kube-system';
  await upsert(api, 'error execution phase addon/coredns', `${apps}/deployments`, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'coredns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { 'k8s-app': 'kube-dns' } },
      template: {
        metadata: { labels: { 'k8s-app': 'kube-dns' } },
        spec: {
          tolerations: cpToleration,
          containers: [{ name: 'coredns', image: `${repo}/coredns:v1.13.1` }],
        },
      },
    },
  });
  await upsert(api, 'error execution phase addon/coredns', '/api/v1/namespaces/kube-system/services', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
    spec: { selector: { 'k8s-app': 'kube-dns' }, ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] },
  });
  const mode = String(cfg.proxy?.mode ?? '');
  await upsert(api, 'error execution phase addon/kube-proxy', '/api/v1/namespaces/kube-system/configmaps', {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'kube-proxy', namespace: 'kube-system', labels: { app: 'kube-proxy' } },
    data: {
      'config.conf': stringify({
        apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
        kind: 'KubeProxyConfiguration',
        ...(cfg.proxy ?? {}),
        mode,
      }),
    },
  });
  const v = String(cfg.cluster?.kubernetesVersion ?? '');
  await upsert(api, 'error execution phase addon/kube-proxy', `${apps}/daemonsets`, {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'kube-proxy', namespace: 'kube-system', labels: { 'k8s-app': 'kube-proxy' } },
    spec: {
      selector: { matchLabels: { 'k8s-app': 'kube-proxy' } },
      template: {
        metadata: { labels: { 'k8s-app': 'kube-proxy' } },
        spec: {
          hostNetwork: true,
          tolerations: [{ operator: 'Exists' }],
          containers: [
            { name: 'kube-proxy', image: `${repo}/kube-proxy:${v.startsWith('v') ? v : `v${v}`}` },
          ],
        },
      },
    },
  });
}

export { rfc3339 };
