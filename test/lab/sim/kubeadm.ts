// kubeadm, as far as the wizard depends on it: config validate, init (preflight, CA reuse, certs,
// kubeconfigs, the simulated apiserver, join commands), join (discovery through the endpoint with
// CA pinning and token checks, certificate download for control planes), reset, token, upload-certs.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { APISERVER_CONFIG, jwsFor, type ApiserverConfig } from './apiserver.js';
import {
  commandNotFound,
  err,
  fail,
  host,
  now,
  out,
  readIfExists,
  SimExit,
  write,
  writeJsonAtomic,
} from './env.js';
import { dialError, https } from './http.js';
import { checkKubeadmConfig, type Doc, type KubeadmConfig } from './kubeadm-config.js';
import { kubeconfigFromText, kubeconfigText, readKubeconfig } from './kubeconfig.js';
import { installedPackages } from './packages.js';
import { caHash, createCa, keyMatchesCert, sha256, signCert } from './pki.js';
import { bumpInitCount, dropMember, readCluster, updateCluster, type Cluster } from './store.js';
import { readKey, swapOn } from './system.js';
import { setKubeletRunning, unitStatus } from './units.js';

const PKI = '/etc/kubernetes/pki';
const MANIFESTS = '/etc/kubernetes/manifests';

function kubeadmVersion(): string {
  const p = installedPackages().kubeadm;
  if (!p) commandNotFound('kubeadm');
  return p.version;
}

function flag(argv: string[], name: string): string | undefined {
  const i = argv.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (i < 0) return undefined;
  const a = argv[i]!;
  return a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[i + 1];
}

function loadConfig(argv: string[], version: string): KubeadmConfig | undefined {
  const path = flag(argv, '--config');
  if (!path) return undefined;
  const r = checkKubeadmConfig(path, version);
  for (const w of r.warnings) err(w);
  if (!r.config) fail(1, ...r.errors);
  return r.config;
}

// ---------------------------------------------------------------- preflight

interface Check {
  name: string;
  message: string;
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(true));
    s.listen(port, '0.0.0.0', () => s.close(() => resolve(false)));
  });
}

function dirNotEmpty(p: string): boolean {
  return existsSync(p) && readdirSync(p).length > 0;
}

async function preflight(kind: 'init' | 'join-cp' | 'join-worker', ignore: Set<string>): Promise<void> {
  out('[preflight] Running pre-flight checks');
  const errors: Check[] = [];
  if (process.getuid?.() !== 0)
    errors.push({ name: 'IsPrivilegedUser', message: 'user is not running as root' });
  if (readKey('net.ipv4.ip_forward') !== '1')
    errors.push({
      name: 'FileContent--proc-sys-net-ipv4-ip_forward',
      message: '/proc/sys/net/ipv4/ip_forward contents are not set to 1',
    });
  const containerd = unitStatus('containerd');
  const conf = readIfExists('/etc/containerd/config.toml') ?? '';
  if (containerd.active !== 'active')
    errors.push({
      name: 'CRI',
      message:
        'container runtime is not running: output: time="now" level=fatal msg="validate service connection: validate CRI v1 runtime API for endpoint \\"unix:///var/run/containerd/containerd.sock\\": rpc error: code = Unavailable desc = connection error: desc = \\"transport: Error while dialing: dial unix /var/run/containerd/containerd.sock: connect: no such file or directory\\""',
    });
  else if (/disabled_plugins\s*=\s*\[[^\]]*"cri"/.test(conf))
    errors.push({
      name: 'CRI',
      message:
        'container runtime is not running: rpc error: code = Unimplemented desc = unknown service runtime.v1.RuntimeService',
    });
  if (!installedPackages()['cri-tools'])
    errors.push({ name: 'FileExisting-crictl', message: 'crictl not found in system path' });
  const kubelet = unitStatus('kubelet');
  if (!kubelet.installed)
    errors.push({ name: 'FileExisting-kubelet', message: 'kubelet not found in system path' });
  else if (!kubelet.enabled)
    err(
      "\t[WARNING Service-Kubelet]: kubelet service is not enabled, please run 'systemctl enable kubelet.service'",
    );
  if (swapOn())
    err(
      '\t[WARNING Swap]: swap is supported for cgroup v2 only. The kubelet must be properly configured to use swap. Please refer to https://kubernetes.io/docs/concepts/architecture/nodes/#swap-memory, or disable swap on the node',
    );
  if (kind !== 'join-worker') {
    for (const port of [6443, 10259, 10257, 2379, 2380])
      if (await portInUse(port)) errors.push({ name: `Port-${port}`, message: `Port ${port} is in use` });
    if (dirNotEmpty(MANIFESTS))
      errors.push({ name: 'DirAvailable--etc-kubernetes-manifests', message: `${MANIFESTS} is not empty` });
    if (dirNotEmpty('/var/lib/etcd'))
      errors.push({ name: 'DirAvailable--var-lib-etcd', message: '/var/lib/etcd is not empty' });
  }
  if (await portInUse(10250)) errors.push({ name: 'Port-10250', message: 'Port 10250 is in use' });
  if (kind !== 'init' && existsSync('/etc/kubernetes/kubelet.conf'))
    errors.push({
      name: 'FileAvailable--etc-kubernetes-kubelet.conf',
      message: '/etc/kubernetes/kubelet.conf already exists',
    });
  const fatal = errors.filter((e) => !ignore.has(e.name.toLowerCase()) && !ignore.has('all'));
  if (fatal.length) {
    fail(
      1,
      `error execution phase preflight: [preflight] Some fatal errors occurred:\n${fatal.map((e) => `\t[ERROR ${e.name}]: ${e.message}`).join('\n')}\n[preflight] If you know what you are doing, you can make a check non-fatal with \`--ignore-preflight-errors=...\``,
    );
  }
}

/** The kubelet refuses to run with swap on (failSwapOn), so the control plane never comes up. */
function kubeletMustStart(phase: string): void {
  if (swapOn()) {
    fail(
      1,
      `[kubelet-check] The kubelet is not healthy after 4m0s\n\nUnfortunately, an error has occurred, likely caused by:\n\t- The kubelet is not running\n\t- The kubelet is unhealthy due to a misconfiguration of the node in some way (required cgroups disabled)\n\nkubelet: "command failed" err="failed to run Kubelet: running with swap on is not supported, please disable swap or set --fail-swap-on flag to false"\nerror execution phase ${phase}: failed while waiting for the kubelet to start: The HTTP call equal to 'curl -sSL http://127.0.0.1:10248/healthz' returned error: Get "http://127.0.0.1:10248/healthz": context deadline exceeded`,
    );
  }
}

function ignoreSet(argv: string[]): Set<string> {
  return new Set(
    (flag(argv, '--ignore-preflight-errors') ?? '')
      .split(',')
      .filter(Boolean)
      .map((s) => s.toLowerCase()),
  );
}

// ---------------------------------------------------------------- control-plane files

function serviceIp(cidr: string): string {
  const [net] = cidr.split('/');
  const p = net!.split('.').map(Number);
  p[3] = p[3]! + 1;
  return p.join('.');
}

function writeServingCert(
  c: { certSANs: string[]; endpoint: string; dnsDomain: string; serviceSubnet: string },
  nodeName: string,
  address: string,
): void {
  const names = new Set<string>([
    'kubernetes',
    'kubernetes.default',
    'kubernetes.default.svc',
    `kubernetes.default.svc.${c.dnsDomain}`,
    nodeName,
  ]);
  const ips = new Set<string>([serviceIp(c.serviceSubnet), address]);
  const endpointHost = c.endpoint.replace(/:\d+$/, '');
  for (const s of [...c.certSANs, endpointHost]) (/^\d+\.\d+\.\d+\.\d+$/.test(s) ? ips : names).add(s);
  const { cert, key } = signCert(`${PKI}/ca.crt`, `${PKI}/ca.key`, {
    cn: 'kube-apiserver',
    dnsNames: [...names],
    ips: [...ips],
    server: true,
  });
  write(`${PKI}/apiserver.crt`, cert);
  write(`${PKI}/apiserver.key`, key, 0o600);
}

function writeKubeconfigs(
  clusterName: string,
  endpoint: string,
  nodeName: string,
  address: string,
  controlPlane: boolean,
): void {
  const ca = readFileSync(`${PKI}/ca.crt`, 'utf8');
  const mk = (cn: string, org?: string) =>
    signCert(`${PKI}/ca.crt`, `${PKI}/ca.key`, { cn, ...(org ? { org } : {}), client: true });
  if (controlPlane) {
    const admin = mk('kubernetes-admin', 'kubeadm:cluster-admins');
    write(
      '/etc/kubernetes/admin.conf',
      kubeconfigText(clusterName, 'kubernetes-admin', { server: `https://${endpoint}`, ca, ...admin }),
      0o600,
    );
    const superAdmin = mk('kubernetes-super-admin', 'system:masters');
    write(
      '/etc/kubernetes/super-admin.conf',
      kubeconfigText(clusterName, 'kubernetes-super-admin', {
        server: `https://${endpoint}`,
        ca,
        ...superAdmin,
      }),
      0o600,
    );
    for (const comp of ['controller-manager', 'scheduler'])
      write(
        `/etc/kubernetes/${comp}.conf`,
        kubeconfigText(clusterName, `system:kube-${comp}`, {
          server: `https://${address}:6443`,
          ca,
          cert: 'lab',
          key: 'lab',
        }),
        0o600,
      );
  }
  // ControlPlaneKubeletLocalMode (GA in 1.35): a control plane's kubelet talks to its local apiserver.
  // A worker has no CA key; its kubelet credential comes from the TLS bootstrap (a token here).
  const credential = controlPlane
    ? mk(`system:node:${nodeName}`, 'system:nodes')
    : { token: `lab-kubelet-${nodeName}` };
  write(
    '/etc/kubernetes/kubelet.conf',
    kubeconfigText(clusterName, `system:node:${nodeName}`, {
      server: controlPlane ? `https://${address}:6443` : `https://${endpoint}`,
      ca,
      ...credential,
    }),
    0o600,
  );
  write(
    '/var/lib/kubelet/config.yaml',
    'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\ncgroupDriver: systemd\n',
  );
}

function writeManifests(imageRepository: string, version: string): void {
  for (const comp of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) {
    write(
      `${MANIFESTS}/${comp}.yaml`,
      `# lab: static pod manifest stand-in (the simulated apiserver runs as a process)\napiVersion: v1\nkind: Pod\nmetadata:\n  name: ${comp}\n  namespace: kube-system\nspec:\n  containers:\n    - name: ${comp}\n      image: ${imageRepository}/${comp}:${comp === 'etcd' ? '3.6.6-0' : version}\n`,
      0o600,
    );
  }
  mkdirSync('/var/lib/etcd', { recursive: true });
  write('/var/lib/etcd/member.lab', 'simulated etcd member: data lives in the lab store\n');
}

async function startApiserver(nodeName: string, address: string): Promise<void> {
  const cfg: ApiserverConfig = { node: nodeName, address, port: 6443 };
  writeJsonAtomic(APISERVER_CONFIG, cfg);
  mkdirSync('/run/k8sha-lab', { recursive: true });
  const log = openSync('/var/log/kube-apiserver.log', 'a');
  const child = spawn(process.execPath, [process.argv[1]!, 'kube-apiserver', APISERVER_CONFIG], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  child.unref();
  const start = Date.now();
  for (;;) {
    try {
      const r = await https('https://127.0.0.1:6443/healthz', { insecure: true, timeoutMs: 1000 });
      if (r.status === 200) break;
    } catch {
      // not up yet
    }
    if (Date.now() - start > 15_000)
      fail(
        1,
        '[api-check] The API server is not healthy after 15s\nerror execution phase wait-control-plane: could not reach the API server',
      );
    await new Promise((r) => setTimeout(r, 100));
  }
  out(`[api-check] The API server is healthy after ${((Date.now() - start) / 1000).toFixed(3)}s`);
}

function parseTtl(ttl: string | undefined): number {
  if (!ttl) return 24 * 3600 * 1000;
  let ms = 0;
  for (const [, n, u] of ttl.matchAll(/(\d+)([hms])/g))
    ms += Number(n) * (u === 'h' ? 3600e3 : u === 'm' ? 60e3 : 1e3);
  return ms;
}

function nodeInfo(role: 'control-plane' | 'worker'): {
  name: string;
  role: 'control-plane' | 'worker';
  address: string;
  os: string;
  kubeletVersion: string;
  containerRuntime: string;
} {
  const h = host();
  return {
    name: h.name,
    role,
    address: h.address,
    os: h.os === 'rocky' ? 'Rocky Linux 9.6 (Blue Onyx)' : 'Ubuntu 24.04.3 LTS',
    kubeletVersion: `v${installedPackages().kubelet?.version ?? '0.0.0'}`,
    containerRuntime: `containerd://${readIfExists('/var/lib/k8sha-lab/containerd-version')?.trim() ?? 'unknown'}`,
  };
}

// ---------------------------------------------------------------- init

async function init(argv: string[]): Promise<void> {
  const version = kubeadmVersion();
  const cfg = loadConfig(argv, version);
  if (!cfg?.init || !cfg.cluster)
    fail(
      1,
      'lab kubeadm: init is simulated with --config FILE holding InitConfiguration and ClusterConfiguration',
    );
  const cluster = cfg.cluster;
  const nodeReg = cfg.init.nodeRegistration ?? {};
  const nodeName = String(nodeReg.name ?? host().name);
  const address = String(cfg.init.localAPIEndpoint?.advertiseAddress ?? host().address);
  const endpoint = String(cluster.controlPlaneEndpoint ?? `${address}:6443`);
  out(`[init] Using Kubernetes version: ${cluster.kubernetesVersion}`);
  await preflight('init', ignoreSet(argv));

  // [certs]: reuse a CA that is already there (kubeadm does), else create one.
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
  const certSANs = ((cluster.apiServer?.certSANs ?? []) as string[]).map(String);
  const net = cluster.networking ?? {};
  const base = {
    certSANs,
    endpoint,
    dnsDomain: String(net.dnsDomain ?? 'cluster.local'),
    serviceSubnet: String(net.serviceSubnet ?? '10.96.0.0/12'),
  };
  writeServingCert(base, nodeName, address);
  out(
    `[certs] apiserver serving cert is signed for DNS names [${nodeName} kubernetes ...] and IPs [${[...new Set([...certSANs.filter((s) => /^\d/.test(s)), endpoint.replace(/:\d+$/, ''), address])].join(' ')}]`,
  );
  writeKubeconfigs(String(cluster.clusterName ?? 'kubernetes'), endpoint, nodeName, address, true);
  out(
    '[kubeconfig] Writing "admin.conf" kubeconfig file\n[kubeconfig] Writing "super-admin.conf" kubeconfig file\n[kubeconfig] Writing "kubelet.conf" kubeconfig file',
  );
  writeManifests(String(cluster.imageRepository ?? 'registry.k8s.io'), String(cluster.kubernetesVersion));
  kubeletMustStart('wait-control-plane');
  const caPem = readFileSync(`${PKI}/ca.crt`, 'utf8');
  const tokens = ((cfg.init.bootstrapTokens ?? []) as Doc[]).map((t) => {
    const [id, secret] = String(t.token).split('.') as [string, string];
    return {
      id,
      secret,
      expiresAt: now() + parseTtl(t.ttl as string | undefined),
      description: String(t.description ?? ''),
    };
  });
  if (tokens.length === 0)
    tokens.push({
      id: randomBytes(3).toString('hex'),
      secret: randomBytes(8).toString('hex'),
      expiresAt: now() + 24 * 3600e3,
      description: 'default',
    });
  const uploadCerts = argv.includes('--upload-certs');
  const certKey = String(cfg.init.certificateKey ?? randomBytes(32).toString('hex'));
  updateCluster(() => {
    const c: Cluster = {
      clusterName: String(cluster.clusterName ?? 'kubernetes'),
      endpoint,
      kubernetesVersion: String(cluster.kubernetesVersion),
      caCertPem: caPem,
      caCertHash: caHash(caPem),
      certSANs,
      podSubnet: String(net.podSubnet ?? ''),
      serviceSubnet: base.serviceSubnet,
      dnsDomain: base.dnsDomain,
      proxyMode: String(cfg.proxy?.mode ?? 'iptables'),
      imageRepository: String(cluster.imageRepository ?? 'registry.k8s.io'),
      tokens,
      ...(uploadCerts
        ? {
            uploadedCerts: {
              keyHash: sha256(certKey),
              uploadedAt: now(),
              caCertPem: caPem,
              caKeyPem: readFileSync(`${PKI}/ca.key`, 'utf8'),
            },
          }
        : {}),
      nodes: { [nodeName]: { ...nodeInfo('control-plane'), name: nodeName, address, joinedAt: now() } },
      objects: [],
      createdAt: now(),
    };
    return { cluster: c, result: null };
  });
  const count = bumpInitCount();
  write(
    '/var/lib/k8sha-lab/kubeadm-init.log',
    `${new Date(now()).toISOString()} init #${count} of this lab on ${nodeName}\n`,
  );
  await startApiserver(nodeName, address);
  setKubeletRunning();
  if (uploadCerts)
    out(
      `[upload-certs] Storing the certificates in Secret "kubeadm-certs" in the "kube-system" Namespace\n[upload-certs] Using certificate key:\n${certKey}`,
    );
  const hash = caHash(caPem);
  const t = tokens[0]!;
  out(`
Your Kubernetes control-plane has initialized successfully!

To start using your cluster, you need to run the following as a regular user:

  mkdir -p $HOME/.kube
  sudo cp -i /etc/kubernetes/admin.conf $HOME/.kube/config
  sudo chown $(id -u):$(id -g) $HOME/.kube/config

You can now join any number of control-plane nodes running the following command on each as root:

  kubeadm join ${endpoint} --token ${t.id}.${t.secret} \\
	--discovery-token-ca-cert-hash ${hash} \\
	--control-plane --certificate-key ${certKey}

Then you can join any number of worker nodes by running the following on each as root:

kubeadm join ${endpoint} --token ${t.id}.${t.secret} \\
	--discovery-token-ca-cert-hash ${hash}`);
}

// ---------------------------------------------------------------- join

interface JoinParams {
  endpoint: string;
  token: string;
  hashes: string[];
  controlPlane: boolean;
  certificateKey?: string;
  nodeName: string;
  address: string;
}

function joinParams(argv: string[], cfg: KubeadmConfig | undefined): JoinParams {
  if (cfg?.join) {
    const bt = cfg.join.discovery.bootstrapToken;
    const cp = cfg.join.controlPlane;
    return {
      endpoint: String(bt.apiServerEndpoint),
      token: String(bt.token),
      hashes: (bt.caCertHashes ?? []) as string[],
      controlPlane: !!cp,
      ...(cp?.certificateKey ? { certificateKey: String(cp.certificateKey) } : {}),
      nodeName: String(cfg.join.nodeRegistration?.name ?? host().name),
      address: String(cp?.localAPIEndpoint?.advertiseAddress ?? host().address),
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
    nodeName: flag(argv, '--node-name') ?? host().name,
    address: host().address,
  };
}

async function discover(p: JoinParams): Promise<{ ca: string; clusterName: string }> {
  const url = `https://${p.endpoint}/api/v1/namespaces/kube-public/configmaps/cluster-info`;
  const [tokenId, secret] = p.token.split('.') as [string, string];
  const deadline = Date.now() + 15_000;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const r = await https(`${url}?timeout=10s`, { insecure: true, timeoutMs: 3000 });
      if (r.status !== 200) {
        last = `the server responded with ${r.status}: ${r.body.slice(0, 200)}`;
      } else {
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
        const ca = kubeconfigFromText(kubeconfig).ca;
        const actual = caHash(ca);
        if (!p.hashes.includes(actual))
          fail(
            1,
            `error execution phase preflight: couldn't validate the identity of the API Server: cluster CA found in cluster-info ConfigMap is invalid: none of the public keys "${actual}" are pinned`,
          );
        out(
          `[discovery] Cluster info signature and contents are valid and TLS certificate validates against pinned roots, will use API Server "${p.endpoint}"`,
        );
        return { ca, clusterName: 'kubernetes' };
      }
    } catch (e) {
      if (e instanceof SimExit) throw e;
      last = dialError(url, e);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  fail(
    1,
    `error execution phase preflight: couldn't validate the identity of the API Server: Get "${url}?timeout=10s": ${last}`,
  );
}

async function join(argv: string[]): Promise<void> {
  const version = kubeadmVersion();
  const cfg = loadConfig(argv, version);
  const p = joinParams(argv, cfg);
  await preflight(p.controlPlane ? 'join-cp' : 'join-worker', ignoreSet(argv));
  const { ca } = await discover(p);
  const base = `https://${p.endpoint}`;
  const [tokenId] = p.token.split('.');
  try {
    if (p.controlPlane) {
      if (!p.certificateKey)
        fail(
          1,
          'error execution phase control-plane-prepare/download-certs: a certificate key is required to download certificates: pass --certificate-key or set controlPlane.certificateKey',
        );
      out(
        '[download-certs] Downloading the certificates in Secret "kubeadm-certs" in the "kube-system" Namespace',
      );
      const r = await https(`${base}/lab/kubeadm-certs`, {
        ca,
        token: p.token,
        headers: { 'x-certificate-key-hash': sha256(p.certificateKey) },
      });
      if (r.status === 404)
        fail(
          1,
          'error execution phase control-plane-prepare/download-certs: error downloading certs: error downloading the secret: Secret "kubeadm-certs" was not found in the "kube-system" Namespace. This Secret might have expired. Please, run `kubeadm init phase upload-certs --upload-certs` on a control plane to generate a new one',
        );
      if (r.status === 403)
        fail(
          1,
          'error execution phase control-plane-prepare/download-certs: error downloading certs: error decoding secret data with provided key: cipher: message authentication failed',
        );
      if (r.status === 401)
        fail(
          1,
          `error execution phase kubelet-start: token id "${tokenId}" is invalid for this cluster or it has expired. Use "kubeadm token create" on the control-plane node to create a new valid token`,
        );
      if (r.status !== 200) fail(1, `error execution phase control-plane-prepare/download-certs: ${r.body}`);
      const certs = JSON.parse(r.body) as {
        caCertPem: string;
        caKeyPem: string;
        certSANs: string[];
        clusterName: string;
        dnsDomain: string;
        serviceSubnet: string;
      };
      write(`${PKI}/ca.crt`, certs.caCertPem);
      write(`${PKI}/ca.key`, certs.caKeyPem, 0o600);
      writeServingCert(
        {
          certSANs: certs.certSANs,
          endpoint: p.endpoint,
          dnsDomain: certs.dnsDomain,
          serviceSubnet: certs.serviceSubnet,
        },
        p.nodeName,
        p.address,
      );
      out(
        '[certs] Using certificateDir folder "/etc/kubernetes/pki"\n[certs] Generating "apiserver" certificate and key',
      );
      writeKubeconfigs(certs.clusterName, p.endpoint, p.nodeName, p.address, true);
      const c = readCluster();
      writeManifests(c?.imageRepository ?? 'registry.k8s.io', c?.kubernetesVersion ?? `v${version}`);
      out('[check-etcd] Checking that the etcd cluster is healthy');
    } else {
      write(`${PKI}/ca.crt`, ca);
      const bootstrap = { server: `https://${p.endpoint}`, ca, token: p.token };
      write(
        '/etc/kubernetes/bootstrap-kubelet.conf',
        kubeconfigText('kubernetes', 'tls-bootstrap-token-user', bootstrap),
        0o600,
      );
    }
    kubeletMustStart('kubelet-start');
    out(
      '[kubelet-start] Starting the kubelet\n[kubelet-start] Waiting for the kubelet to perform the TLS Bootstrap',
    );
    const r = await https(`${base}/lab/bootstrap`, {
      ca,
      token: p.token,
      body: {
        ...nodeInfo(p.controlPlane ? 'control-plane' : 'worker'),
        name: p.nodeName,
        address: p.address,
      },
    });
    if (r.status === 401)
      fail(
        1,
        `error execution phase kubelet-start: token id "${tokenId}" is invalid for this cluster or it has expired. Use "kubeadm token create" on the control-plane node to create a new valid token`,
      );
    if (r.status === 409)
      fail(1, `error execution phase kubelet-start: ${(JSON.parse(r.body) as { message: string }).message}`);
    if (r.status >= 300) fail(1, `error execution phase kubelet-start: ${r.body}`);
    if (!p.controlPlane) {
      // As with the real kubelet: kubelet.conf appears once the TLS bootstrap succeeded.
      writeKubeconfigs('kubernetes', p.endpoint, p.nodeName, p.address, false);
      rmSync('/etc/kubernetes/bootstrap-kubelet.conf', { force: true });
    }
  } catch (e) {
    if (e instanceof SimExit) throw e;
    fail(
      1,
      `error execution phase kubelet-start: Post "${base}/api/v1/certificatesigningrequests": ${dialError(base, e)}`,
    );
  }
  if (p.controlPlane) {
    await startApiserver(p.nodeName, p.address);
    out('[etcd] Announced new etcd member joining to the existing etcd cluster');
  }
  setKubeletRunning();
  out(`
This node has joined the cluster${p.controlPlane ? ' and a new control plane instance was created' : ''}:

* Certificate signing request was sent to apiserver and a response was received.
* The Kubelet was informed of the new secure connection details.${p.controlPlane ? '\n* Control plane label and taint were applied to the new node.\n* The Kubernetes control plane instances scaled up.\n* A new etcd member was added to the local/stacked etcd cluster.' : ''}

Run 'kubectl get nodes' on the control-plane to see this node join the cluster.`);
}

// ---------------------------------------------------------------- reset, token, upload-certs

function stopApiserver(): void {
  const pid = Number(readIfExists('/run/k8sha-lab/apiserver.pid')?.trim() ?? 0);
  if (pid > 0) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
    for (let i = 0; i < 50; i++) {
      try {
        process.kill(pid, 0);
        spawnSync('sleep', ['0.05']);
      } catch {
        break;
      }
    }
  }
  rmSync('/run/k8sha-lab/apiserver.pid', { force: true });
}

function reset(argv: string[]): void {
  kubeadmVersion();
  if (!argv.includes('-f') && !argv.includes('--force')) {
    out('[reset] Are you sure you want to proceed? [y/N]: ');
    fail(1, 'error execution phase preflight: aborted reset operation');
  }
  out('[preflight] Running pre-flight checks');
  const name = host().name;
  const wasCp = existsSync(`${MANIFESTS}/kube-apiserver.yaml`);
  stopApiserver();
  dropMember(name);
  updateCluster((c) => {
    if (!c) return { cluster: c, result: null };
    delete c.nodes[name];
    // The last control plane gone means the cluster (its etcd) is gone.
    const cps = Object.values(c.nodes).filter((n) => n.role === 'control-plane');
    return { cluster: wasCp && cps.length === 0 ? undefined : c, result: null };
  });
  out('[reset] Stopping the kubelet service');
  const dirs = [MANIFESTS, '/var/lib/kubelet', PKI, '/var/lib/etcd'];
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  for (const f of [
    'admin.conf',
    'super-admin.conf',
    'kubelet.conf',
    'bootstrap-kubelet.conf',
    'controller-manager.conf',
    'scheduler.conf',
  ])
    rmSync(`/etc/kubernetes/${f}`, { force: true });
  rmSync(APISERVER_CONFIG, { force: true });
  out(
    `[reset] Deleting contents of directories: [${dirs.join(' ')}]\n[reset] Deleting files: [/etc/kubernetes/admin.conf /etc/kubernetes/super-admin.conf /etc/kubernetes/kubelet.conf /etc/kubernetes/bootstrap-kubelet.conf /etc/kubernetes/controller-manager.conf /etc/kubernetes/scheduler.conf]\n\nThe reset process does not clean CNI configuration. To do so, you must remove /etc/cni/net.d\n\nThe reset process does not reset or clean up iptables rules or IPVS tables.\nIf you wish to reset iptables, you must do so manually by using the "iptables" command.\n\nIf your cluster was setup to utilize IPVS, run ipvsadm --clear (or similar)\nto reset your system's IPVS tables.`,
  );
}

async function adminRequest(
  argv: string[],
  path: string,
  body?: unknown,
): Promise<{ status: number; body: string; creds: ReturnType<typeof readKubeconfig> }> {
  const file = flag(argv, '--kubeconfig') ?? '/etc/kubernetes/admin.conf';
  if (!existsSync(file)) fail(1, `failed to load admin kubeconfig: open ${file}: no such file or directory`);
  const creds = readKubeconfig(file);
  try {
    const r = await https(`${creds.server}${path}`, {
      ca: creds.ca,
      cert: creds.cert,
      key: creds.key,
      ...(body !== undefined ? { body } : {}),
    });
    return { ...r, creds };
  } catch (e) {
    fail(
      1,
      `failed to create or update bootstrap token: Post "${creds.server}${path}": ${dialError(creds.server, e)}`,
    );
  }
}

async function token(argv: string[]): Promise<void> {
  kubeadmVersion();
  const sub = argv[0];
  if (sub === 'generate') return out(`${randomBytes(3).toString('hex')}.${randomBytes(8).toString('hex')}`);
  if (sub === 'create') {
    // The token comes from the argument, else from --config (InitConfiguration.bootstrapTokens[0]).
    const given = argv.slice(1).find((a) => /^[a-z0-9]{6}\.[a-z0-9]{16}$/.test(a));
    const cfg = flag(argv, '--config') ? loadConfig(argv, kubeadmVersion()) : undefined;
    const fromConfig = (cfg?.init?.bootstrapTokens as Doc[] | undefined)?.[0];
    const tok =
      given ??
      (fromConfig?.token as string | undefined) ??
      `${randomBytes(3).toString('hex')}.${randomBytes(8).toString('hex')}`;
    const [id, secret] = tok.split('.') as [string, string];
    const ttl = flag(argv, '--ttl') ?? (fromConfig?.ttl as string | undefined) ?? '24h';
    const r = await adminRequest(argv, '/lab/tokens', {
      id,
      secret,
      ttlMs: parseTtl(ttl),
      description: flag(argv, '--description') ?? (fromConfig?.description as string | undefined),
    });
    if (r.status >= 300) fail(1, `failed to create bootstrap token: ${r.body}`);
    if (argv.includes('--print-join-command')) {
      const info = await https(`${r.creds.server}/lab/cluster`, {
        ca: r.creds.ca,
        cert: r.creds.cert,
        key: r.creds.key,
      });
      const c = JSON.parse(info.body) as { endpoint: string; caCertHash: string };
      return out(`kubeadm join ${c.endpoint} --token ${tok} --discovery-token-ca-cert-hash ${c.caCertHash} `);
    }
    return out(tok);
  }
  if (sub === 'list') {
    const file = flag(argv, '--kubeconfig') ?? '/etc/kubernetes/admin.conf';
    const creds = readKubeconfig(file);
    const info = await https(`${creds.server}/lab/cluster`, {
      ca: creds.ca,
      cert: creds.cert,
      key: creds.key,
    });
    const c = JSON.parse(info.body) as { tokens: { id: string; expiresAt: number }[] };
    out('TOKEN                     TTL         EXPIRES');
    for (const t of c.tokens)
      out(
        `${t.id}.<secret>   ${Math.max(0, Math.round((t.expiresAt - now()) / 3600e3))}h   ${new Date(t.expiresAt).toISOString()}`,
      );
    return;
  }
  fail(1, `lab kubeadm: token ${sub ?? ''} is not simulated`);
}

async function uploadCerts(argv: string[]): Promise<void> {
  const version = kubeadmVersion();
  if (!argv.includes('--upload-certs'))
    fail(1, 'error execution phase upload-certs: --upload-certs is required');
  const cfg = loadConfig(argv, version);
  const key =
    flag(argv, '--certificate-key') ??
    (cfg?.init?.certificateKey as string | undefined) ??
    randomBytes(32).toString('hex');
  if (!/^[0-9a-f]{64}$/.test(key))
    fail(
      1,
      'error execution phase upload-certs: the certificate key must be a hex encoded string of 32 bytes',
    );
  const r = await adminRequest(argv, '/lab/upload-certs', {
    keyHash: sha256(key),
    caCertPem: readFileSync(`${PKI}/ca.crt`, 'utf8'),
    caKeyPem: readFileSync(`${PKI}/ca.key`, 'utf8'),
  });
  if (r.status >= 300) fail(1, `error execution phase upload-certs: ${r.body}`);
  out(
    `[upload-certs] Storing the certificates in Secret "kubeadm-certs" in the "kube-system" Namespace\n[upload-certs] Using certificate key:\n${key}`,
  );
}

export async function kubeadm(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'version': {
      const v = kubeadmVersion();
      if (flag(rest, '-o') === 'short' || rest.includes('-oshort')) return out(`v${v}`);
      const [, minor] = v.split('.');
      return out(
        `kubeadm version: &version.Info{Major:"1", Minor:"${minor}", GitVersion:"v${v}", GitTreeState:"clean", GoVersion:"go1.25.3", Compiler:"gc", Platform:"linux/amd64"}`,
      );
    }
    case 'init':
      if (rest[0] === 'phase' && rest[1] === 'upload-certs') return uploadCerts(rest.slice(2));
      if (rest[0] === 'phase') fail(1, `lab kubeadm: init phase ${rest[1] ?? ''} is not simulated`);
      return init(rest);
    case 'join':
      return join(rest);
    case 'reset':
      return reset(rest);
    case 'token':
      return token(rest);
    case 'certs':
      if (rest[0] === 'certificate-key') {
        kubeadmVersion();
        return out(randomBytes(32).toString('hex'));
      }
      if (rest[0] === 'check-expiration') return checkExpiration();
      if (rest[0] === 'renew' && rest[1] === 'all') return renewAll();
      return fail(1, `lab kubeadm: certs ${rest[0] ?? ''} is not simulated`);
    case 'config': {
      const version = kubeadmVersion();
      if (rest[0] === 'validate') {
        const path = flag(rest, '--config');
        if (!path) fail(1, 'required flag(s) "config" not set');
        const r = checkKubeadmConfig(path, version);
        for (const w of r.warnings) err(w);
        if (r.errors.length) fail(1, ...r.errors);
        return out('ok');
      }
      if (rest[0] === 'images' && rest[1] === 'list') {
        const cfg = loadConfig(rest, version);
        const repo = String(cfg?.cluster?.imageRepository ?? 'registry.k8s.io');
        const v = String(cfg?.cluster?.kubernetesVersion ?? `v${version}`);
        for (const c of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kube-proxy'])
          out(`${repo}/${c}:${v}`);
        out(repo === 'registry.k8s.io' ? `${repo}/coredns/coredns:v1.13.1` : `${repo}/coredns:v1.13.1`);
        out(`${repo}/pause:3.10.1\n${repo}/etcd:3.6.6-0`);
        return;
      }
      return fail(1, `lab kubeadm: config ${rest[0] ?? ''} is not simulated`);
    }
    default:
      fail(1, `unknown command "${sub ?? ''}" for "kubeadm"`);
  }
}

// ---------------------------------------------------------------- certificate expiry and renewal

// The lab signs the apiserver's serving certificate and the kubeconfigs; the other leaf certificates of
// a real control plane are listed with the apiserver's dates (they are issued together by kubeadm init).
const LEAF_CERTS = [
  'admin.conf',
  'apiserver',
  'apiserver-etcd-client',
  'apiserver-kubelet-client',
  'controller-manager.conf',
  'etcd-healthcheck-client',
  'etcd-peer',
  'etcd-server',
  'front-proxy-client',
  'scheduler.conf',
  'super-admin.conf',
];

function kubeadmDate(validTo: string): string {
  const d = new Date(validTo);
  const month = d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const hh = String(d.getUTCHours()).padStart(2, '0');
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  return `${month} ${String(d.getUTCDate()).padStart(2, '0')}, ${d.getUTCFullYear()} ${hh}:${mm} UTC`;
}

function residual(validTo: string): string {
  const days = Math.floor((new Date(validTo).getTime() - now()) / 86_400_000);
  return days >= 365 ? `${Math.floor(days / 365)}y` : `${days}d`;
}

function checkExpiration(): void {
  kubeadmVersion();
  const apiserver = readIfExists(`${PKI}/apiserver.crt`);
  const ca = readIfExists(`${PKI}/ca.crt`);
  if (!apiserver || !ca)
    fail(1, `error execution phase check-expiration: open ${PKI}/apiserver.crt: no such file or directory`);
  const leaf = new X509Certificate(apiserver).validTo;
  const caTo = new X509Certificate(ca).validTo;
  const row = (cols: string[], widths: number[]) =>
    cols
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('')
      .trimEnd();
  const w = [27, 25, 16, 24, 0];
  out(
    '[check-expiration] Reading configuration from the "kubeadm-config" ConfigMap in namespace "kube-system"...\n',
  );
  out(row(['CERTIFICATE', 'EXPIRES', 'RESIDUAL TIME', 'CERTIFICATE AUTHORITY', 'EXTERNALLY MANAGED'], w));
  for (const name of LEAF_CERTS) {
    const authority =
      name.startsWith('etcd-') || name === 'apiserver-etcd-client'
        ? 'etcd-ca'
        : name === 'front-proxy-client'
          ? 'front-proxy-ca'
          : 'ca';
    out(row([name, kubeadmDate(leaf), residual(leaf), authority, 'no'], w));
  }
  out('');
  const wc = [24, 25, 16, 0];
  out(row(['CERTIFICATE AUTHORITY', 'EXPIRES', 'RESIDUAL TIME', 'EXTERNALLY MANAGED'], wc));
  for (const name of ['ca', 'etcd-ca', 'front-proxy-ca'])
    out(row([name, kubeadmDate(caTo), residual(caTo), 'no'], wc));
}

/** Re-issues the apiserver's serving certificate with the same names; says what kubeadm says. */
function renewAll(): void {
  kubeadmVersion();
  const current = readIfExists(`${PKI}/apiserver.crt`);
  if (!current) fail(1, `error execution phase renew: open ${PKI}/apiserver.crt: no such file or directory`);
  const sans = (new X509Certificate(current).subjectAltName ?? '').split(', ');
  const { cert, key } = signCert(`${PKI}/ca.crt`, `${PKI}/ca.key`, {
    cn: 'kube-apiserver',
    dnsNames: sans.filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4)),
    ips: sans.filter((s) => s.startsWith('IP Address:')).map((s) => s.slice(11)),
    server: true,
  });
  write(`${PKI}/apiserver.crt`, cert);
  write(`${PKI}/apiserver.key`, key, 0o600);
  for (const name of LEAF_CERTS) out(`certificate ${name} renewed`);
  out(
    '\nDone renewing certificates. You must restart the kube-apiserver, kube-controller-manager, kube-scheduler and etcd, so that they can use the new certificates.',
  );
}
