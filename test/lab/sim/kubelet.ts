// The kubelet stand-in, inside each host's simulator daemon. While the kubelet unit runs and has its
// config, it refuses to run on a host where a real kubelet would not (swap on, containerd down, a
// containerd config that does not parse or has the wrong version for that containerd, a cgroup driver
// that does not match), runs the static pods, registers the node and posts its status every few
// seconds (Ready only with a CNI config on the host), reports the status of the pods bound to it
// (kube-proxy crash-loops in IPVS mode without the ip_vs modules; calico-node when its IP pool is
// outside the cluster's podSubnet) and writes Calico's CNI config once calico-node runs here.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { parse as parseYaml } from 'yaml';
import { parse as parseToml } from 'smol-toml';
import { host, journal, now, readIfExists } from './env.js';
import { readKubeconfig, requestAs, type Credentials } from './kubeconfig.js';
import { installedPackages } from './packages.js';
import { podStatuses, reconcileStaticPods } from './static-pods.js';
import { loadedModules, swapOn } from './system.js';
import { unitStatus } from './units.js';

export const KUBELET_CONFIG = '/var/lib/kubelet/config.yaml';
export const KUBELET_CONF = '/etc/kubernetes/kubelet.conf';
export const CNI_CONF = '/etc/cni/net.d/10-calico.conflist';
export const IPVS_MODULES = ['ip_vs', 'ip_vs_rr', 'ip_vs_wrr', 'ip_vs_sh'];

/** containerd's config versions by release: 1.x reads 2; 2.0–2.2 read 3 (2 migrated); 2.3+ writes 4. */
export function expectedConfigVersion(containerd: string): number {
  const [maj, min] = containerd.split('.').map(Number);
  if (maj! < 2) return 2;
  return min! >= 3 ? 4 : 3;
}

export interface ContainerdConfig {
  version?: number;
  systemdCgroup?: boolean;
  parseError?: string;
  criDisabled: boolean;
}

export function readContainerdConfig(): ContainerdConfig {
  const text = readIfExists('/etc/containerd/config.toml') ?? '';
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch (e) {
    return { parseError: (e as Error).message.split('\n')[0]!, criDisabled: false };
  }
  const version =
    typeof doc.version === 'number'
      ? doc.version
      : doc.version === undefined
        ? undefined
        : Number(doc.version);
  const plugins = (doc.plugins ?? {}) as Record<string, Record<string, unknown>>;
  const runc = (section: string) => {
    const s = plugins[section] as
      { containerd?: { runtimes?: { runc?: { options?: { SystemdCgroup?: boolean } } } } } | undefined;
    return s?.containerd?.runtimes?.runc?.options?.SystemdCgroup;
  };
  // Only the section this config version defines counts; a key under another version's name is ignored.
  const systemdCgroup =
    version === 2 ? runc('io.containerd.grpc.v1.cri') : runc('io.containerd.cri.v1.runtime');
  const disabled = (doc.disabled_plugins ?? []) as string[];
  return {
    ...(version !== undefined ? { version } : {}),
    ...(systemdCgroup !== undefined ? { systemdCgroup } : {}),
    criDisabled: disabled.includes('cri') || disabled.includes('io.containerd.grpc.v1.cri'),
  };
}

/** Why containerd would refuse to start with this config, or undefined. */
export function containerdRefuses(version: string): string | undefined {
  const c = readContainerdConfig();
  if (c.parseError) return `failed to load TOML from /etc/containerd/config.toml: ${c.parseError}`;
  // Older versions are migrated in memory at start; a version newer than this containerd knows is fatal.
  const v = c.version ?? 1;
  const newest = expectedConfigVersion(version);
  if (v > newest)
    return `containerd: invalid configuration: unsupported config version ${v} (containerd ${version} reads up to version ${newest})`;
  return undefined;
}

/** Why a kubelet on this host would not run, or undefined when it would. */
export function kubeletProblem(): string | undefined {
  if (swapOn())
    return 'failed to run Kubelet: running with swap on is not supported, please disable swap or set --fail-swap-on flag to false';
  if (unitStatus('containerd').active !== 'active')
    return 'failed to run Kubelet: validate service connection: validate CRI v1 runtime API for endpoint "unix:///var/run/containerd/containerd.sock": transport: Error while dialing: dial unix /var/run/containerd/containerd.sock: connect: no such file or directory';
  const installed = installedPackages()['containerd.io']?.version ?? '0.0.0';
  const c = readContainerdConfig();
  if (c.criDisabled)
    return 'failed to run Kubelet: validate CRI v1 runtime API: rpc error: code = Unimplemented desc = unknown service runtime.v1.RuntimeService';
  const want = expectedConfigVersion(installed);
  if (c.version !== want)
    return `containerd ${installed} expects config version ${want}, but /etc/containerd/config.toml says version ${c.version ?? 'none'} (the lab is strict here: tools that read the file break on the mismatch)`;
  // 1.35 removed the flag; a kubelet given it does not start (kubernetes#133779).
  const flags = ['/var/lib/kubelet/kubeadm-flags.env', '/etc/sysconfig/kubelet', '/etc/default/kubelet']
    .map((f) => readIfExists(f) ?? '')
    .join('\n');
  const kubeletMinor = Number((installedPackages().kubelet?.version ?? '0.0.0').split('.')[1]);
  if (kubeletMinor >= 35 && /--pod-infra-container-image/.test(flags))
    return 'failed to parse kubelet flag: unknown flag: --pod-infra-container-image';
  const kubeletDriver = (() => {
    try {
      return String(
        (parseYaml(readIfExists(KUBELET_CONFIG) ?? '') as { cgroupDriver?: string })?.cgroupDriver ??
          'systemd',
      );
    } catch {
      return 'systemd';
    }
  })();
  const runtimeDriver = c.systemdCgroup ? 'systemd' : 'cgroupfs';
  if (kubeletDriver !== runtimeDriver)
    return `failed to run Kubelet: misconfiguration: kubelet cgroup driver: "${kubeletDriver}" is different from the container runtime cgroup driver: "${runtimeDriver}" (SystemdCgroup = ${c.systemdCgroup ?? 'unset'} under the runc options of config version ${c.version})`;
  return undefined;
}

/** The kubelet runs when its unit is started and kubeadm wrote its config. */
export function kubeletRunning(): boolean {
  const u = unitStatus('kubelet');
  return u.installed && u.active !== 'inactive' && u.active !== 'failed' && existsSync(KUBELET_CONFIG);
}

// ------------------------------------------------------------- the API side

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
}

function creds(): Credentials | undefined {
  try {
    return existsSync(KUBELET_CONF) ? readKubeconfig(KUBELET_CONF) : undefined;
  } catch {
    return undefined;
  }
}

function api(c: Credentials, method: string, path: string, body?: unknown, contentType?: string) {
  return requestAs(c, method, path, 4000, body, contentType);
}

function osImage(): string {
  return /PRETTY_NAME="?([^"\n]+)"?/.exec(readIfExists('/etc/os-release') ?? '')?.[1] ?? 'Linux';
}

function nodeIp(): string {
  const env = readIfExists('/var/lib/kubelet/kubeadm-flags.env') ?? '';
  return /--node-ip=([\d.]+)/.exec(env)?.[1] ?? host().address;
}

function nodeName(): string {
  const env = readIfExists('/var/lib/kubelet/kubeadm-flags.env') ?? '';
  return /--hostname-override=([\w.-]+)/.exec(env)?.[1] ?? hostname();
}

function cidrContains(outer: string, inner: string): boolean {
  const parse = (c: string) => {
    const [ip, bits] = c.split('/');
    const n = ip!.split('.').reduce((a, o) => (a << 8) + Number(o), 0) >>> 0;
    return { n, bits: Number(bits) };
  };
  const o = parse(outer);
  const i = parse(inner);
  if (i.bits < o.bits) return false;
  const mask = o.bits === 0 ? 0 : (~0 << (32 - o.bits)) >>> 0;
  return (o.n & mask) >>> 0 === (i.n & mask) >>> 0;
}

async function configMap(
  c: Credentials,
  ns: string,
  name: string,
): Promise<Record<string, string> | undefined> {
  const r = await api(c, 'GET', `/api/v1/namespaces/${ns}/configmaps/${name}`);
  return r.status === 200 ? (JSON.parse(r.body) as { data?: Record<string, string> }).data : undefined;
}

/** What a pod on this node does: runs, waits for the network, or crash-loops (and why). */
async function podOutcome(
  c: Credentials,
  pod: {
    metadata: { name: string; labels?: Record<string, string> };
    spec?: { hostNetwork?: boolean; containers?: { env?: { name: string; value?: string }[] }[] };
  },
  networkReady: boolean,
): Promise<{ state: 'running' | 'waiting' | 'crash'; reason?: string; message?: string }> {
  const app = pod.metadata.labels?.['k8s-app'] ?? '';
  if (app === 'kube-proxy') {
    const conf = (await configMap(c, 'kube-system', 'kube-proxy'))?.['config.conf'] ?? '';
    const mode = /^mode:\s*"?(\w*)"?/m.exec(conf)?.[1] ?? '';
    const missing = IPVS_MODULES.filter((m) => !loadedModules().includes(m));
    if (mode === 'ipvs' && missing.length)
      return {
        state: 'crash',
        reason: 'CrashLoopBackOff',
        message: `can't use the IPVS proxier: IPVS proxier will not be used because the following required kernel modules are not loaded: [${missing.join(' ')}]`,
      };
    return { state: 'running' };
  }
  if (app === 'calico-node') {
    const env = pod.spec?.containers?.flatMap((x) => x.env ?? []) ?? [];
    const pool = env.find((e) => e.name === 'CALICO_IPV4POOL_CIDR')?.value ?? '192.168.0.0/16';
    const cc = (await configMap(c, 'kube-system', 'kubeadm-config'))?.ClusterConfiguration ?? '';
    const podSubnet = /podSubnet:\s*"?([\d./]+)"?/.exec(cc)?.[1];
    if (podSubnet && !cidrContains(podSubnet, pool))
      return {
        state: 'crash',
        reason: 'CrashLoopBackOff',
        message: `calico-node: IP pool ${pool} (CALICO_IPV4POOL_CIDR) is not within the cluster's podSubnet ${podSubnet}; pods would get addresses kube-proxy treats as outside the cluster`,
      };
    return { state: 'running' };
  }
  if (pod.spec?.hostNetwork) return { state: 'running' };
  return networkReady ? { state: 'running' } : { state: 'waiting', reason: 'ContainerCreating' };
}

let lastNodeStatus = 0;
/**
 * The node status last posted, without its heartbeat time. A change (the CNI config appearing, say)
 * is posted at once, as the kubelet's fast status update does until the node is ready; an unchanged
 * status is re-posted every RESYNC_MS.
 */
let postedStatus = '';
const RESYNC_MS = 5000;
/** Per mirror pod: the state last posted and when the API last confirmed it. */
const mirrorPosted = new Map<string, { key: string; at: number }>();

async function syncApi(problem: string | undefined): Promise<void> {
  const c = creds();
  if (!c) return;
  const name = nodeName();
  const networkReady = existsSync(CNI_CONF);
  const t = new Date(now()).toISOString().replace(/\.\d+Z$/, 'Z');
  const ready: Condition = problem
    ? { type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: problem, lastHeartbeatTime: t }
    : networkReady
      ? {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          message: 'kubelet is posting ready status',
          lastHeartbeatTime: t,
        }
      : {
          type: 'Ready',
          status: 'False',
          reason: 'KubeletNotReady',
          message:
            'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized',
          lastHeartbeatTime: t,
        };
  if (problem) return; // a kubelet that cannot run posts nothing: the node goes NotReady by the grace period
  const status = {
    conditions: [ready],
    addresses: [
      { type: 'InternalIP', address: nodeIp() },
      { type: 'Hostname', address: name },
    ],
    nodeInfo: {
      kubeletVersion: `v${installedPackages().kubelet?.version ?? '0.0.0'}`,
      kubeProxyVersion: `v${installedPackages().kubelet?.version ?? '0.0.0'}`,
      containerRuntimeVersion: `containerd://${installedPackages()['containerd.io']?.version ?? 'unknown'}`,
      osImage: osImage(),
      kernelVersion: '6.8.0-lab',
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
  };
  const statusKey = JSON.stringify({ ...status, conditions: [{ ...ready, lastHeartbeatTime: '' }] });
  const due = Date.now() - lastNodeStatus > RESYNC_MS || statusKey !== postedStatus;
  const got = due ? await api(c, 'GET', `/api/v1/nodes/${name}`) : { status: 0, body: '' };
  if (got.status === 404) {
    const created = await api(c, 'POST', '/api/v1/nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name,
        labels: {
          'kubernetes.io/hostname': name,
          'kubernetes.io/os': 'linux',
          'kubernetes.io/arch': 'amd64',
        },
      },
      spec: {},
      status,
    });
    if (created.status >= 300)
      journal('kubelet', `registering node ${name}: ${created.status} ${created.body.slice(0, 200)}`);
    lastNodeStatus = Date.now();
    postedStatus = created.status < 300 ? statusKey : '';
  } else if (got.status === 200) {
    const patched = await api(
      c,
      'PATCH',
      `/api/v1/nodes/${name}/status`,
      { status },
      'application/merge-patch+json',
    );
    lastNodeStatus = Date.now();
    postedStatus = patched.status < 300 ? statusKey : '';
  }
  // Pods bound here.
  const list = await api(c, 'GET', `/api/v1/pods?fieldSelector=spec.nodeName%3D${encodeURIComponent(name)}`);
  if (list.status !== 200) return;
  const pods = (JSON.parse(list.body) as { items: PodLike[] }).items;
  let calicoRunning = false;
  for (const p of pods) {
    if (p.metadata.annotations?.['kubernetes.io/config.mirror']) continue;
    const out = await podOutcome(c, p, networkReady);
    if (p.metadata.labels?.['k8s-app'] === 'calico-node' && out.state === 'running') calicoRunning = true;
    const prev = p.status?.containerStatuses?.[0];
    const restarts =
      (prev?.restartCount ?? 0) +
      (out.state === 'crash' && prev?.state?.waiting?.reason !== 'CrashLoopBackOff' ? 1 : 0);
    const next = {
      phase: out.state === 'waiting' ? 'Pending' : 'Running',
      hostIP: nodeIp(),
      podIP: p.spec?.hostNetwork ? nodeIp() : podIp(p.metadata.name),
      conditions: [{ type: 'Ready', status: out.state === 'running' ? 'True' : 'False' }],
      containerStatuses: [
        {
          name: p.spec?.containers?.[0]?.name ?? p.metadata.name,
          ready: out.state === 'running',
          restartCount: restarts,
          state:
            out.state === 'running'
              ? { running: { startedAt: t } }
              : { waiting: { reason: out.reason, ...(out.message ? { message: out.message } : {}) } },
        },
      ],
    };
    const same =
      p.status?.phase === next.phase &&
      prev?.ready === next.containerStatuses[0]!.ready &&
      prev?.state?.waiting?.reason === next.containerStatuses[0]!.state.waiting?.reason;
    if (!same)
      await api(
        c,
        'PATCH',
        `/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}/status`,
        { status: next },
        'application/merge-patch+json',
      );
  }
  // Calico's install-cni writes the CNI config once calico-node runs on the host; without it, none.
  if (calicoRunning && !existsSync(CNI_CONF)) {
    mkdirSync('/etc/cni/net.d', { recursive: true });
    writeFileSync(
      CNI_CONF,
      JSON.stringify(
        { name: 'k8s-pod-network', cniVersion: '0.3.1', plugins: [{ type: 'calico' }, { type: 'portmap' }] },
        null,
        2,
      ),
    );
    mkdirSync('/var/lib/calico', { recursive: true });
    writeFileSync('/var/lib/calico/nodename', name);
  }
  await syncMirrorPods(c, name);
}

interface PodLike {
  metadata: {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: {
    hostNetwork?: boolean;
    nodeName?: string;
    containers?: { name?: string; env?: { name: string; value?: string }[] }[];
  };
  status?: {
    phase?: string;
    containerStatuses?: {
      ready?: boolean;
      restartCount?: number;
      state?: { waiting?: { reason?: string } };
    }[];
  };
}

function podIp(name: string): string {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return `10.${(h >> 16) & 255}.${(h >> 8) & 255}.${(h & 254) + 1}`;
}

/** Mirror pods: the API's view of this node's static pods (kubectl drain skips them). */
async function syncMirrorPods(c: Credentials, node: string): Promise<void> {
  for (const s of podStatuses()) {
    const name = `${s.name}-${node}`;
    // A mirror pod whose state the API confirmed lately is not asked about again until it changes.
    const key = `${s.running}/${s.restarts}`;
    const posted = mirrorPosted.get(name);
    if (posted?.key === key && Date.now() - posted.at < RESYNC_MS) continue;
    const got = await api(c, 'GET', `/api/v1/namespaces/kube-system/pods/${name}`);
    const status = {
      phase: 'Running',
      hostIP: nodeIp(),
      podIP: nodeIp(),
      conditions: [{ type: 'Ready', status: s.running ? 'True' : 'False' }],
      containerStatuses: [
        {
          name: s.name,
          ready: s.running,
          restartCount: s.restarts,
          state: s.running ? { running: {} } : { waiting: { reason: 'CrashLoopBackOff' } },
        },
      ],
    };
    let ok = false;
    if (got.status === 404) {
      const created = await api(c, 'POST', '/api/v1/namespaces/kube-system/pods', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name,
          namespace: 'kube-system',
          labels: { component: s.name, tier: 'control-plane' },
          annotations: { 'kubernetes.io/config.mirror': 'lab' },
        },
        spec: { nodeName: node, hostNetwork: true, containers: [{ name: s.name }] },
        status,
      });
      ok = created.status < 300;
    } else if (got.status === 200) {
      const cur = JSON.parse(got.body) as PodLike;
      ok =
        cur.status?.containerStatuses?.[0]?.ready === s.running ||
        (
          await api(
            c,
            'PATCH',
            `/api/v1/namespaces/kube-system/pods/${name}/status`,
            { status },
            'application/merge-patch+json',
          )
        ).status < 300;
    }
    if (ok) mirrorPosted.set(name, { key, at: Date.now() });
    else mirrorPosted.delete(name);
  }
}

// ------------------------------------------------------------- the loop

let timer: NodeJS.Timeout | undefined;
let syncing: Promise<void> | undefined;
let lastProblem: string | undefined;

/** Why the kubelet is not running right now (for kubeadm's kubelet-check), or undefined. */
export function lastKubeletProblem(): string | undefined {
  return lastProblem;
}

/** One pass now (kubeadm calls this after it changed what the kubelet should run). */
export function kubeletSync(): Promise<void> {
  if (syncing) return syncing;
  const pass = (async () => {
    if (!kubeletRunning()) return;
    const problem = kubeletProblem();
    if (problem !== lastProblem) journal('kubelet', problem ? `not running: ${problem}` : 'running');
    lastProblem = problem;
    if (!problem) reconcileStaticPods();
    await syncApi(problem).catch((e: unknown) => journal('kubelet', `api: ${(e as Error).message}`));
  })();
  // Cleared only after the pass ends, even when it ended before this assignment ran.
  syncing = pass.finally(() => {
    if (syncing === guarded) syncing = undefined;
  });
  const guarded = syncing;
  return guarded;
}

/** Wait for a sync pass in flight: a stopped kubelet writes nothing after systemctl stop returns. */
export async function kubeletIdle(): Promise<void> {
  await syncing?.catch(() => undefined);
}

export function startKubelet(): void {
  const loop = async () => {
    await kubeletSync().catch(() => undefined);
    // Once a second, like the real kubelet's PLEG relist (its pod workers react to changes at once).
    timer = setTimeout(() => void loop(), 1000);
    timer.unref();
  };
  void loop();
}

/** kubeadm reset: the next registration starts afresh (the CNI config stays, as with the real reset). */
export function forgetNodeStatus(): void {
  lastNodeStatus = 0;
  postedStatus = '';
  mirrorPosted.clear();
  lastProblem = undefined;
}

export function cniConfigs(): string[] {
  return existsSync('/etc/cni/net.d') ? readdirSync('/etc/cni/net.d') : [];
}
