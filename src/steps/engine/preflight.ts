// Preflight over every node's facts: a failure stops the run before anything changes and names each
// host and reason. Pure: facts in, problems out.
import { APISERVER_PORT } from '../../answers/defaults.js';
import { apiEndpointText, controlPlanes, usesHaproxy, vipAddress } from '../../answers/model.js';
import type { Answers } from '../../answers/schema.js';
import type { OperatingSystem } from '../../catalog/schema.js';
import type { NodeFacts } from './facts.js';

export interface PreflightProblem {
  node: string;
  message: string;
}

const MAX_SKEW_MS = 30_000;
/** Who may already hold a port on a rerun: our own services. */
const OWNERS: Record<number, RegExp> = {
  [APISERVER_PORT]: /kube-apiserver|node|^$/,
  10250: /kubelet|^$/,
  2379: /etcd|^$/,
  2380: /etcd|^$/,
};

/** 35 for "1.35" or "1.35.2". */
const minorOf = (version: string) => Number(version.split('.')[1] ?? 0);

/** The catalog's matrix row that accepts this OS and version, when the catalog has a matrix. */
export function supportedOs(
  f: Pick<NodeFacts, 'osId' | 'osVersion'>,
  matrix: readonly OperatingSystem[],
): OperatingSystem | undefined {
  return matrix.find(
    (os) => os.id === f.osId && os.versions.some((v) => f.osVersion === v || f.osVersion.startsWith(`${v}.`)),
  );
}

/** "Rocky Linux 9, 10; Ubuntu 22.04, 24.04; …" */
export function matrixText(matrix: readonly OperatingSystem[]): string {
  return matrix.map((os) => `${os.name} ${os.versions.join(', ')}`).join('; ');
}

/**
 * The installed cluster's API endpoint against the answers'. kubeadm cannot move an installed
 * cluster's controlPlaneEndpoint (its certificates and every kubeconfig name it), so a run whose
 * answers name another VIP or port, or add a load balancer to a control plane installed without one,
 * would join new hosts through an address the cluster does not answer on. Undefined when they agree.
 */
export function endpointMismatch(
  a: Answers,
  facts: Record<string, Pick<NodeFacts, 'apiServer'> | undefined>,
): { message: string; hint: string } | undefined {
  const wanted = apiEndpointText(a);
  const byEndpoint = new Map<string, string[]>();
  for (const h of a.hosts) {
    const got = facts[h.name]?.apiServer;
    if (got && got !== wanted) byEndpoint.set(got, [...(byEndpoint.get(got) ?? []), h.name]);
  }
  const [installed, hosts] = [...byEndpoint][0] ?? [];
  if (!installed || !hosts) return undefined;
  const at = installed.lastIndexOf(':');
  // A control plane's own address and the apiserver's port: installed without a load balancer.
  const noLoadBalancer =
    installed.slice(at + 1) === String(APISERVER_PORT) &&
    controlPlanes(a).some((h) => h.address === installed.slice(0, at));
  return {
    message: `${hosts.join(', ')} ${hosts.length === 1 ? 'belongs' : 'belong'} to a cluster whose API endpoint is ${installed}, but the answers say ${wanted}: kubeadm cannot move an installed cluster's endpoint (its certificates and every kubeconfig name it)`,
    hint: noLoadBalancer
      ? `the cluster was installed with one control plane and no loadBalancer, so it cannot grow into several control planes: keep the answers' control planes and loadBalancer as installed, or install the cluster again with a loadBalancer block (a VIP) from the start, as in assets/examples/single-control-plane.yaml. Nothing was changed`
      : `put loadBalancer.vip and loadBalancer.port back as installed (${installed}); if ${hosts.length === 1 ? 'that host is' : 'those hosts are'} left over from another cluster, reset ${hosts.length === 1 ? 'it' : 'them'} first (k8sha-wizard reset --answers FILE --node NAME). Nothing was changed`,
  };
}

export function preflight(
  a: Answers,
  facts: Record<string, NodeFacts>,
  vipInUseElsewhere: boolean,
  matrix?: readonly OperatingSystem[],
): PreflightProblem[] {
  const out: PreflightProblem[] = [];
  const cps = new Set(controlPlanes(a).map((h) => h.name));
  const seen = {
    machineId: new Map<string, string>(),
    uuid: new Map<string, string>(),
    mac: new Map<string, string>(),
  };
  for (const h of a.hosts) {
    const f = facts[h.name];
    if (!f) continue;
    const p = (message: string) => out.push({ node: h.name, message });
    if (!f.osFamily)
      p(
        `unsupported OS "${f.osId} ${f.osVersion}": use a RHEL-family (Rocky, Alma, RHEL 9+) or Debian-family (Ubuntu 22.04+, Debian 12+) host`,
      );
    else if (matrix?.length && !supportedOs(f, matrix))
      p(
        `unsupported OS "${f.osId} ${f.osVersion}": this catalog supports ${matrixText(matrix)}. Reinstall or upgrade the host, or add the OS to a --catalog of your own if you have tested it`,
      );
    if (f.uid !== 0)
      p('commands do not run as root (sudo did not work): check ssh.user and ssh.sudoPasswordEnv');
    if (!f.addressInterface)
      p(`the address ${h.address} is not on any interface of this host: check hosts[].address`);
    const wanted = h.interface ?? a.loadBalancer?.interface;
    if (cps.has(h.name) && a.loadBalancer && wanted && f.addressInterface && wanted !== f.addressInterface) {
      p(
        `the answers put the VIP on interface ${wanted}, but ${h.address} is on ${f.addressInterface}: fix the interface or remove it to use the detected one`,
      );
    }
    if (cps.has(h.name)) {
      if (f.cpus < 2) p(`a control plane needs at least 2 CPUs; this host has ${f.cpus}`);
      if (f.memMiB < 1700)
        p(`a control plane needs at least 1700 MB of memory; this host has ${f.memMiB} MB`);
    }
    if (Math.abs(f.clockSkewMs) > MAX_SKEW_MS) {
      p(
        `its clock is ${Math.round(f.clockSkewMs / 1000)} s off the operator machine's (limit ${MAX_SKEW_MS / 1000} s): certificates and tokens would fail; enable NTP (chrony)`,
      );
    }
    // failCgroupV1 defaults to true from 1.35: the kubelet exits on a cgroup v1 host.
    if (f.cgroup && f.cgroup !== 'cgroup2fs' && minorOf(a.cluster.kubernetesVersion) >= 35)
      p(
        `cgroup v1: the kubelet of Kubernetes ${a.cluster.kubernetesVersion} refuses to start on cgroup v1 (failCgroupV1). ` +
          'Switch the host to cgroup v2: add systemd.unified_cgroup_hierarchy=1 to the kernel command line ' +
          '(RHEL family: grubby --update-kernel=ALL --args=systemd.unified_cgroup_hierarchy=1; Debian/Ubuntu: ' +
          'add it to GRUB_CMDLINE_LINUX in /etc/default/grub, then update-grub) and reboot; stat -fc %T /sys/fs/cgroup then says cgroup2fs',
      );
    for (const { port, process } of f.busyPorts) {
      if (usesHaproxy(a) && port === a.loadBalancer?.port && cps.has(h.name)) {
        if (!/haproxy|^$/.test(process)) p(`port ${port} (the load balancer port) is held by ${process}`);
        continue;
      }
      if (!cps.has(h.name) && port !== 10250) continue;
      const ours = f.joined && (OWNERS[port]?.test(process) ?? false);
      if (!ours) p(`port ${port} is already in use${process ? ` by ${process}` : ''}; kubeadm needs it free`);
    }
    const dup = (kind: keyof typeof seen, value: string, label: string) => {
      if (!value) return;
      const other = seen[kind].get(value);
      if (other)
        p(
          `${label} ${value} is the same as on ${other}: cloned machines must get new ones (kubeadm uses them to tell nodes apart)`,
        );
      else seen[kind].set(value, h.name);
    };
    dup('machineId', f.machineId, 'machine-id');
    dup('uuid', f.productUuid, 'product_uuid');
    for (const mac of f.macs) dup('mac', mac, 'MAC address');
  }
  if (a.loadBalancer && vipInUseElsewhere) {
    out.push({
      node: '(network)',
      message: `the VIP ${vipAddress(a)} already answers on the network but none of the control planes holds it: pick a free address for loadBalancer.vip`,
    });
  }
  return out;
}
