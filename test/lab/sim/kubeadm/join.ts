// `kubeadm join`: discovery through the given endpoint (the cluster-info signature and the CA pin are
// checked), then everything else through the server cluster-info names, as kubeadm does. A worker
// does the kubelet's TLS bootstrap (a CSR signed by the cluster); a control plane downloads the
// certificates with the certificate key, checks etcd's health, adds its etcd member as a learner
// through the etcd API, waits for it to catch up and promotes it (kubeadm's behaviour since 1.32).
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { jwsFor } from '../apiserver/server.js';
import { EtcdError } from '../etcd.js';
import { fail, out, SimExit, write } from '../env.js';
import { dialError, https } from '../http.js';
import type { KubeadmConfig } from '../kubeadm-config.js';
import { kubeconfigFromText, kubeconfigText } from '../kubeconfig.js';
import { kubeletSync } from '../kubelet.js';
import { caHash, keyAndCsr } from '../pki.js';
import { setKubeletRunning } from '../units.js';
import {
  apiFrom,
  controlPlaneAddresses,
  etcdClient,
  flag,
  getJson,
  PKI,
  retrying,
  sleep,
  type Api,
} from './api.js';
import {
  writeControlPlaneManifests,
  writeEtcdManifest,
  writeKubeconfigs,
  writeLeafCertificates,
  type ControlPlaneIdentity,
} from './control-plane.js';
import { markControlPlane, waitForApiserver, writeKubeletFiles } from './init.js';
import { ignoreSet, preflight, waitForKubelet } from './preflight.js';
import { downloadCertificates } from './tokens.js';

interface JoinParams {
  endpoint: string;
  token: string;
  hashes: string[];
  controlPlane: boolean;
  certificateKey?: string;
  nodeName: string;
  address: string;
}

function params(
  argv: string[],
  cfg: KubeadmConfig | undefined,
  hostname: string,
  defaultAddress: string,
): JoinParams {
  if (cfg?.join) {
    const bt = cfg.join.discovery.bootstrapToken;
    const cp = cfg.join.controlPlane;
    return {
      endpoint: String(bt.apiServerEndpoint),
      token: String(bt.token),
      hashes: (bt.caCertHashes ?? []) as string[],
      controlPlane: !!cp,
      ...(cp?.certificateKey ? { certificateKey: String(cp.certificateKey) } : {}),
      nodeName: String(cfg.join.nodeRegistration?.name ?? hostname),
      address: String(cp?.localAPIEndpoint?.advertiseAddress ?? defaultAddress),
    };
  }
  const endpoint = argv.find((a) => /^[\w.-]+:\d+$/.test(a));
  const token = flag(argv, '--token');
  if (!endpoint || !token)
    fail(1, 'lab kubeadm: join needs --config FILE, or ENDPOINT --token T --discovery-token-ca-cert-hash H');
  const hash = flag(argv, '--discovery-token-ca-cert-hash');
  const key = flag(argv, '--certificate-key');
  return {
    endpoint,
    token,
    hashes: hash ? [hash] : [],
    controlPlane: argv.includes('--control-plane'),
    ...(key ? { certificateKey: key } : {}),
    nodeName: flag(argv, '--node-name') ?? hostname,
    address: flag(argv, '--apiserver-advertise-address') ?? defaultAddress,
  };
}

/** Token discovery: returns the CA and the server that cluster-info names. */
async function discover(p: JoinParams): Promise<{ ca: string; server: string }> {
  const url = `https://${p.endpoint}/api/v1/namespaces/kube-public/configmaps/cluster-info`;
  const [tokenId, secret] = p.token.split('.') as [string, string];
  const deadline = Date.now() + 10_000;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const r = await https(`${url}?timeout=10s`, { insecure: true, timeoutMs: 3000 });
      if (r.status !== 200) last = `the server responded with ${r.status}: ${r.body.slice(0, 200)}`;
      else {
        const cm = JSON.parse(r.body) as { data: Record<string, string> };
        const kubeconfig = cm.data.kubeconfig!;
        const sig = cm.data[`jws-kubeconfig-${tokenId}`];
        if (!sig)
          fail(
            1,
            `error execution phase preflight: couldn't validate the identity of the API Server: could not find a JWS signature in the cluster-info ConfigMap for token ID "${tokenId}"`,
          );
        if (sig !== jwsFor(kubeconfig, tokenId, secret))
          fail(
            1,
            "error execution phase preflight: couldn't validate the identity of the API Server: failed to verify JWS signature of received cluster info object, can't trust this API Server",
          );
        const info = kubeconfigFromText(kubeconfig);
        const actual = caHash(info.ca);
        if (!p.hashes.includes(actual))
          fail(
            1,
            `error execution phase preflight: couldn't validate the identity of the API Server: cluster CA found in cluster-info ConfigMap is invalid: none of the public keys "${actual}" are pinned`,
          );
        out(
          `[discovery] Cluster info signature and contents are valid and TLS certificate validates against pinned roots, will use API Server "${info.server.replace(/^https:\/\//, '')}"`,
        );
        return { ca: info.ca, server: info.server };
      }
    } catch (e) {
      if (e instanceof SimExit) throw e;
      last = dialError(url, e);
    }
    await sleep(500);
  }
  fail(
    1,
    `error execution phase preflight: couldn't validate the identity of the API Server: Get "${url}?timeout=10s": ${last}`,
  );
}

/** Refuse to take over the name of a node that is still Ready (kubeadm's kubelet-start check). */
async function nodeNameFree(api: Api, name: string): Promise<void> {
  const n = await getJson<{ status?: { conditions?: { type: string; status: string }[] } }>(
    api,
    `/api/v1/nodes/${name}`,
  ).catch((e: unknown) =>
    fail(
      1,
      `error execution phase kubelet-start: cannot get Node "${name}": ${dialError(api.creds.server, e)}`,
    ),
  );
  if (n?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
    fail(
      1,
      `error execution phase kubelet-start: a Node with name "${name}" and status "Ready" already exists in the cluster. You must delete the existing Node or change the name of this new joining Node`,
    );
}

/** The kubelet's TLS bootstrap: a CSR with the bootstrap token, signed by the cluster. */
async function tlsBootstrap(api: Api, p: JoinParams, ca: string, server: string): Promise<void> {
  out('[kubelet-start] Waiting for the kubelet to perform the TLS Bootstrap');
  const { key, csr } = keyAndCsr(`system:node:${p.nodeName}`, 'system:nodes');
  const r = await retrying(
    api,
    'error execution phase kubelet-start: error creating the certificate signing request',
    'POST',
    '/apis/certificates.k8s.io/v1/certificatesigningrequests',
    {
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'CertificateSigningRequest',
      metadata: { generateName: 'node-csr-' },
      spec: {
        request: Buffer.from(csr).toString('base64'),
        signerName: 'kubernetes.io/kube-apiserver-client-kubelet',
        usages: ['digital signature', 'client auth'],
      },
    },
  );
  if (r.status === 401)
    fail(
      1,
      `error execution phase kubelet-start: token id "${p.token.split('.')[0]}" is invalid for this cluster or it has expired. Use "kubeadm token create" on the control-plane node to create a new valid token`,
    );
  if (r.status >= 300) fail(1, `error execution phase kubelet-start: ${r.body.slice(0, 300)}`);
  const cert = Buffer.from(
    (JSON.parse(r.body) as { status?: { certificate?: string } }).status?.certificate ?? '',
    'base64',
  ).toString('utf8');
  if (!cert) fail(1, 'error execution phase kubelet-start: the certificate signing request was not signed');
  write(`${PKI}/ca.crt`, ca);
  write(
    '/etc/kubernetes/kubelet.conf',
    kubeconfigText('kubernetes', `system:node:${p.nodeName}`, { server, ca, cert, key }),
    0o600,
  );
}

async function kubeletConfigFromCluster(api: Api): Promise<Record<string, unknown> | undefined> {
  const cm = await getJson<{ data?: { kubelet?: string } }>(
    api,
    '/api/v1/namespaces/kube-system/configmaps/kubelet-config',
  );
  return cm?.data?.kubelet ? (parse(cm.data.kubelet) as Record<string, unknown>) : undefined;
}

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function clusterConfiguration(api: Api): Promise<Doc> {
  const r = await retrying(
    api,
    'error execution phase preflight: unable to fetch the kubeadm-config ConfigMap',
    'GET',
    '/api/v1/namespaces/kube-system/configmaps/kubeadm-config',
  );
  if (r.status !== 200)
    fail(
      1,
      `error execution phase preflight: unable to fetch the kubeadm-config ConfigMap: ${r.body.slice(0, 200)}`,
    );
  return parse((JSON.parse(r.body) as { data: { ClusterConfiguration: string } }).data.ClusterConfiguration);
}

/** [check-etcd] and the learner join: add, start, wait until in sync, promote. */
async function joinEtcd(admin: Api, id: ControlPlaneIdentity): Promise<void> {
  out('[check-etcd] Checking that the etcd cluster is healthy');
  const peers = (await controlPlaneAddresses(admin)).filter((x) => x.address && x.name !== id.nodeName);
  const endpoints = peers.map((x) => `https://${x.address}:2379`);
  if (!endpoints.length)
    fail(1, 'error execution phase check-etcd: no etcd endpoints: no control-plane node is registered');
  const etcd = etcdClient(endpoints);
  try {
    const members = await etcd
      .members()
      .catch((e: unknown) =>
        fail(1, `error execution phase check-etcd: etcd cluster is not healthy: ${(e as Error).message}`),
      );
    for (const m of members.filter((x) => x.clientURLs.length && !x.isLearner)) {
      await etcd
        .status(m.clientURLs[0]!)
        .catch((e: unknown) =>
          fail(
            1,
            `error execution phase check-etcd: etcd cluster is not healthy: failed to dial endpoint ${m.clientURLs[0]} with maintenance client: ${(e as EtcdError).message}`,
          ),
        );
    }
    const peerURL = `https://${id.address}:2380`;
    // kubeadm retries MemberAdd with exponential back-off: right after another member joined, etcd
    // refuses reconfiguration for a while ("unhealthy cluster") until it has seen every member for 5 s.
    let added;
    for (let delay = 50, spent = 0; ; spent += delay, delay = Math.min(delay * 2, 5000)) {
      try {
        added = await etcd.addMember(peerURL, true);
        break;
      } catch (e) {
        const msg = (e as Error).message;
        if (!/unhealthy cluster|too many learner|request timed out/.test(msg) || spent > 30_000)
          fail(
            1,
            `error execution phase control-plane-join/etcd: error creating local etcd static pod manifest file: etcdserver: ${msg.replace(/^etcdserver: /, '')}`,
          );
        await sleep(delay);
      }
    }
    out(
      `[etcd] Announced new etcd member joining to the existing etcd cluster\n[etcd] Adding etcd member as learner: ${peerURL}`,
    );
    const initial = added.members
      .map((m) => `${m.id === added.member.id ? id.nodeName : m.name}=${m.peerURLs[0]}`)
      .join(',');
    if (/(^|,)=/.test(initial))
      fail(
        1,
        `error execution phase control-plane-join/etcd: error creating local etcd static pod manifest file: the etcd cluster has a member that never started (no name): --initial-cluster=${initial} is invalid`,
      );
    writeEtcdManifest(id, initial, true);
    out(
      '[etcd] Wrote Static Pod manifest for a local etcd member to "/etc/kubernetes/manifests/etcd.yaml"\n[etcd] Waiting for the new etcd member to join the cluster. This can take up to 40s',
    );
    const start = Date.now();
    for (;;) {
      await kubeletSync();
      try {
        await etcd.promote(added.member.id);
        out(`[etcd] The learner was promoted as a voting member: ${added.member.id}`);
        return;
      } catch (e) {
        if (Date.now() - start > 60_000)
          fail(
            1,
            `error execution phase control-plane-join/etcd: error creating local etcd static pod manifest file: timeout waiting for etcd cluster to be available: promoting learner ${added.member.id}: ${(e as Error).message}`,
          );
      }
      await sleep(500);
    }
  } finally {
    etcd.close();
  }
}

export async function join(
  argv: string[],
  cfg: KubeadmConfig | undefined,
  hostname: string,
  defaultAddress: string,
): Promise<void> {
  const p = params(argv, cfg, hostname, defaultAddress);
  await preflight(p.controlPlane ? 'join-cp' : 'join-worker', ignoreSet(argv), p.nodeName);
  const { ca, server } = await discover(p);
  // Everything after discovery goes to the server cluster-info names (controlPlaneEndpoint).
  const boot = apiFrom({ server, ca, token: p.token });
  await nodeNameFree(boot, p.nodeName);
  let id: ControlPlaneIdentity | undefined;
  if (p.controlPlane) {
    if (!p.certificateKey)
      fail(
        1,
        'error execution phase control-plane-prepare/download-certs: a certificate key is required to download certificates: pass --certificate-key or set controlPlane.certificateKey',
      );
    const cc = await clusterConfiguration(boot);
    out(
      '[download-certs] Downloading the certificates in Secret "kubeadm-certs" in the "kube-system" Namespace',
    );
    await downloadCertificates(boot, p.certificateKey);
    const net = cc.networking ?? {};
    id = {
      nodeName: p.nodeName,
      address: p.address,
      clusterName: String(cc.clusterName ?? 'kubernetes'),
      endpoint: server.replace(/^https:\/\//, ''),
      certSANs: ((cc.apiServer?.certSANs ?? []) as unknown[]).map(String),
      dnsDomain: String(net.dnsDomain ?? 'cluster.local'),
      serviceSubnet: String(net.serviceSubnet ?? '10.96.0.0/12'),
      podSubnet: String(net.podSubnet ?? ''),
      imageRepository: String(cc.imageRepository ?? 'registry.k8s.io'),
      kubernetesVersion: String(cc.kubernetesVersion),
    };
    writeLeafCertificates(id);
    out(
      '[certs] Using certificateDir folder "/etc/kubernetes/pki"\n[certs] Generating "apiserver" certificate and key',
    );
    writeKubeconfigs(id, false);
    writeControlPlaneManifests(id);
    out(
      '[control-plane] Creating static Pod manifests for "kube-apiserver", "kube-controller-manager" and "kube-scheduler"',
    );
  } else {
    await tlsBootstrap(boot, p, ca, server);
  }
  writeKubeletFiles(
    await kubeletConfigFromCluster(boot),
    p.nodeName,
    p.controlPlane ? p.address : defaultAddress,
    hostname,
  );
  out(
    '[kubelet-start] Writing kubelet configuration to file "/var/lib/kubelet/config.yaml"\n[kubelet-start] Starting the kubelet',
  );
  setKubeletRunning();
  await waitForKubelet('kubelet-start');
  if (id) {
    const admin = apiFrom({ ...kubeconfigFromText(readFileSync('/etc/kubernetes/admin.conf', 'utf8')) });
    await joinEtcd(admin, id);
    await waitForApiserver();
    out(`[mark-control-plane] Marking the node ${p.nodeName} as control-plane`);
    await markControlPlane(
      admin,
      p.nodeName,
      (cfg?.join?.nodeRegistration?.taints as Record<string, string>[] | undefined) ?? [
        { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' },
      ],
    );
  } else {
    // The node is registered once its kubelet posts with the new credentials.
    const node = apiFrom(kubeconfigFromText(readFileSync('/etc/kubernetes/kubelet.conf', 'utf8')));
    const start = Date.now();
    while (!(await getJson(node, `/api/v1/nodes/${p.nodeName}`).catch(() => undefined))) {
      if (Date.now() - start > 40_000)
        fail(
          1,
          `error execution phase kubelet-start: timed out waiting for the kubelet to register node "${p.nodeName}"`,
        );
      await kubeletSync();
      await sleep(500);
    }
  }
  out(`
This node has joined the cluster${p.controlPlane ? ' and a new control plane instance was created' : ''}:

* Certificate signing request was sent to apiserver and a response was received.
* The Kubelet was informed of the new secure connection details.${p.controlPlane ? '\n* Control plane label and taint were applied to the new node.\n* The Kubernetes control plane instances scaled up.\n* A new etcd member was added to the local/stacked etcd cluster.' : ''}

Run 'kubectl get nodes' on the control-plane to see this node join the cluster.`);
}
