// kubeadm's preflight checks, and its wait for the kubelet: refused as kubeadm refuses them, with
// its messages, so a host the installer left unready fails here as it would on a real host.
import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { err, fail, out, readIfExists } from '../env.js';
import { inv } from '../invocation.js';
import { kubeletProblem, kubeletRunning, kubeletSync } from '../kubelet.js';
import { installedPackages } from '../packages.js';
import { readKey, swapOn } from '../system.js';
import { unitStatus } from '../units.js';
import { flag, hostName, sleep, validNodeName } from './api.js';

interface Check {
  name: string;
  message: string;
}

export const MANIFESTS = '/etc/kubernetes/manifests';

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

export function ignoreSet(argv: string[]): Set<string> {
  return new Set(
    (flag(argv, '--ignore-preflight-errors') ?? '')
      .split(',')
      .filter(Boolean)
      .map((s) => s.toLowerCase()),
  );
}

export async function preflight(
  kind: 'init' | 'join-cp' | 'join-worker',
  ignore: Set<string>,
  nodeName: string,
): Promise<void> {
  out('[preflight] Running pre-flight checks');
  if (!validNodeName(nodeName))
    fail(
      1,
      `nodeRegistration.name: Invalid value: "${nodeName}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    );
  if (nodeName !== hostName())
    err(
      `\t[WARNING Hostname]: hostname "${hostName()}" could not be reached; this node registers as "${nodeName}", which differs from its hostname`,
    );
  const errors: Check[] = [];
  if (inv().uid !== 0) errors.push({ name: 'IsPrivilegedUser', message: 'user is not running as root' });
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
  // As kubeadm's checks.go: every join needs an empty manifests directory; init (and a control-plane
  // join) needs only that its own four manifests are not there yet, so a kube-vip manifest written
  // before init is fine, and one written before a join is not.
  if (kind !== 'init' && dirNotEmpty(MANIFESTS))
    errors.push({ name: 'DirAvailable--etc-kubernetes-manifests', message: `${MANIFESTS} is not empty` });
  if (kind !== 'join-worker') {
    for (const port of [6443, 10259, 10257, 2379, 2380])
      if (await portInUse(port)) errors.push({ name: `Port-${port}`, message: `Port ${port} is in use` });
    for (const pod of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd'])
      if (existsSync(`${MANIFESTS}/${pod}.yaml`))
        errors.push({
          name: `FileAvailable--etc-kubernetes-manifests-${pod}.yaml`,
          message: `${MANIFESTS}/${pod}.yaml already exists`,
        });
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
  if (fatal.length)
    fail(
      1,
      `error execution phase preflight: [preflight] Some fatal errors occurred:\n${fatal.map((e) => `\t[ERROR ${e.name}]: ${e.message}`).join('\n')}\n[preflight] If you know what you are doing, you can make a check non-fatal with \`--ignore-preflight-errors=...\``,
    );
}

/**
 * kubeadm's [kubelet-check]: the kubelet must come up healthy. A kubelet that cannot run on this host
 * (swap on, cgroup driver mismatch, containerd config …) fails the phase with the kubelet's reason.
 */
export async function waitForKubelet(phase: string, timeoutMs = 8000): Promise<void> {
  out(
    '[kubelet-check] Waiting for a healthy kubelet at http://127.0.0.1:10248/healthz. This can take up to 4m0s',
  );
  const start = Date.now();
  for (;;) {
    await kubeletSync();
    const problem = kubeletProblem();
    if (kubeletRunning() && !problem) return;
    if (Date.now() - start > timeoutMs)
      fail(
        1,
        `[kubelet-check] The kubelet is not healthy after 4m0s\n\nUnfortunately, an error has occurred, likely caused by:\n\t- The kubelet is not running\n\t- The kubelet is unhealthy due to a misconfiguration of the node in some way (required cgroups disabled)\n\nkubelet: "command failed" err="${problem ?? 'the kubelet service is not running'}"\nerror execution phase ${phase}: failed while waiting for the kubelet to start: The HTTP call equal to 'curl -sSL http://127.0.0.1:10248/healthz' returned error: Get "http://127.0.0.1:10248/healthz": context deadline exceeded`,
      );
    await sleep(500);
  }
}
