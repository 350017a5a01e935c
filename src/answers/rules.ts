// Cross-field rules of the answers file. Each returns problems with a field path; the schema turns
// them into zod issues so the file, the saved answers and the screens all get the same messages.
import type { Catalog } from '../catalog/schema.js';
import { compareSemver, resolveKubernetesVersion } from '../catalog/resolve.js';
import {
  cidrContains,
  cidrsOverlap,
  ipToInt,
  isIPv4,
  isNetworkAligned,
  networkText,
  parseCidr,
  type Cidr,
} from '../net/ipv4.js';
import { APISERVER_PORT } from './defaults.js';
import { addressOf } from './model.js';
import type { Answers } from './schema.js';

export interface RuleProblem {
  path: (string | number)[];
  message: string;
}

/** Ports kubeadm's control-plane components hold on every control plane. */
const RESERVED_CONTROL_PLANE_PORTS: Record<number, string> = {
  [APISERVER_PORT]: 'kube-apiserver',
  2379: 'etcd (client)',
  2380: 'etcd (peer)',
  10250: 'the kubelet',
  10257: 'kube-controller-manager',
  10259: 'kube-scheduler',
};

type Shape = Pick<Answers, 'hosts' | 'loadBalancer' | 'network' | 'cluster' | 'versions'>;

/** What a day-2 command may accept that an install refuses (a cluster mid-way between sizes). */
export interface RuleOptions {
  /** An even number of control planes: what a cluster has between removing one and adding one. */
  allowEvenControlPlanes?: boolean;
}

export function checkCrossFieldRules(a: Shape, catalog: Catalog, o: RuleOptions = {}): RuleProblem[] {
  return [
    ...controlPlaneRules(a, o),
    ...uniquenessRules(a),
    ...loadBalancerRules(a),
    ...cidrRules(a),
    ...versionRules(a, catalog),
  ];
}

function controlPlaneIndexes(a: Shape): number[] {
  return a.hosts.flatMap((h, i) => (h.role === 'control-plane' ? [i] : []));
}

function controlPlaneRules(a: Shape, o: RuleOptions): RuleProblem[] {
  const cps = controlPlaneIndexes(a).length;
  if (cps === 0) {
    return [
      {
        path: ['hosts'],
        message: 'there is no host with role control-plane; give at least one (1, 3 or 5 for HA)',
      },
    ];
  }
  if (cps % 2 === 0 && !o.allowEvenControlPlanes) {
    return [
      {
        path: ['hosts'],
        message:
          `${cps} control planes is an even number. etcd works only while a majority (quorum) of its members is up: ` +
          `${cps} members tolerate ${(cps - 2) / 2} failure(s), no more than ${cps - 1} do, and split 50/50 more easily. ` +
          `Use ${cps - 1} or ${cps + 1}.`,
      },
    ];
  }
  return [];
}

function uniquenessRules(a: Shape): RuleProblem[] {
  const out: RuleProblem[] = [];
  const names = new Map<string, number>();
  const addrs = new Map<string, number>();
  a.hosts.forEach((h, i) => {
    const n = names.get(h.name);
    if (n !== undefined)
      out.push({ path: ['hosts', i, 'name'], message: `duplicate host name "${h.name}" (also hosts[${n}])` });
    else names.set(h.name, i);
    const d = addrs.get(h.address);
    if (d !== undefined)
      out.push({
        path: ['hosts', i, 'address'],
        message: `duplicate address ${h.address} (also hosts[${d}])`,
      });
    else addrs.set(h.address, i);
  });
  return out;
}

/** kube-vip only moves the address: clients reach the holder's own apiserver, and there is no VRRP. */
function kubeVipRules(lb: NonNullable<Shape['loadBalancer']>): RuleProblem[] {
  const out: RuleProblem[] = [];
  if (lb.port !== APISERVER_PORT)
    out.push({
      path: ['loadBalancer', 'port'],
      message: `must be ${APISERVER_PORT} with kube-vip: it moves the VIP, and clients reach the apiserver on it directly. For another port such as ${lb.port}, keep haproxy: mode: haproxy-keepalived`,
    });
  if (lb.unicast)
    out.push({
      path: ['loadBalancer', 'unicast'],
      message:
        'is a keepalived (VRRP) setting; kube-vip announces the VIP by ARP. Remove it, or use mode: haproxy-keepalived',
    });
  if (lb.stats)
    out.push({
      path: ['loadBalancer', 'stats'],
      message: "is haproxy's stats page; kube-vip has none. Remove it, or use mode: haproxy-keepalived",
    });
  return out;
}

function loadBalancerRules(a: Shape): RuleProblem[] {
  const cpIdx = controlPlaneIndexes(a);
  const lb = a.loadBalancer;
  if (!lb) {
    if (cpIdx.length >= 2) {
      return [
        {
          path: ['loadBalancer'],
          message:
            `is required with ${cpIdx.length} control planes: the cluster endpoint must be a virtual IP, not one node. ` +
            "Add loadBalancer.vip, e.g. a free address in the control planes' subnet such as 172.16.100.150/24",
        },
      ];
    }
    return [];
  }
  const out: RuleProblem[] = [];
  const reserved = RESERVED_CONTROL_PLANE_PORTS[lb.port];
  if (lb.mode === 'kube-vip') out.push(...kubeVipRules(lb));
  else if (reserved) {
    out.push({
      path: ['loadBalancer', 'port'],
      message: `${lb.port} is held by ${reserved} on every control plane, and haproxy runs there too; use another port such as 8443`,
    });
  }
  if (lb.mode === 'haproxy-keepalived' && lb.unicast && cpIdx.length < 2) {
    out.push({
      path: ['loadBalancer', 'unicast'],
      message: 'unicast VRRP needs at least two control planes as peers',
    });
  }
  const vip = parseCidr(lb.vip);
  if (!vip) return out; // the schema already reported the format
  const vipText = addressOf(lb.vip);
  if (vip.prefix > 30) {
    out.push({
      path: ['loadBalancer', 'vip'],
      message: `/${vip.prefix} leaves no room for hosts; give the prefix of the control planes' subnet, e.g. /24`,
    });
    return out;
  }
  if (vip.address === vip.network) {
    out.push({
      path: ['loadBalancer', 'vip'],
      message: `${vipText} is the network address of ${networkText(vip)}; pick a free host address`,
    });
  } else if (vip.address === vip.broadcast) {
    out.push({
      path: ['loadBalancer', 'vip'],
      message: `${vipText} is the broadcast address of ${networkText(vip)}; pick a free host address`,
    });
  }
  a.hosts.forEach((h, i) => {
    if (h.address === vipText) {
      out.push({
        path: ['loadBalancer', 'vip'],
        message: `${vipText} is the address of ${h.name} (hosts[${i}]); the VIP must be a free address`,
      });
    }
  });
  for (const i of cpIdx) {
    const h = a.hosts[i]!;
    if (isIPv4(h.address) && !cidrContains(vip, ipToInt(h.address))) {
      out.push({
        path: ['hosts', i, 'address'],
        message: `control plane ${h.name} (${h.address}) is outside the VIP's subnet ${networkText(vip)}; VRRP only moves the VIP within one L2 subnet`,
      });
    }
  }
  return out;
}

function cidrRules(a: Shape): RuleProblem[] {
  const out: RuleProblem[] = [];
  const pod = parseCidr(a.network.podCIDR);
  const svc = parseCidr(a.network.serviceCIDR);
  const named: [string, Cidr | undefined][] = [
    ['podCIDR', pod],
    ['serviceCIDR', svc],
  ];
  for (const [field, c] of named) {
    if (c && !isNetworkAligned(c)) {
      out.push({
        path: ['network', field],
        message: `${c.text} has host bits set; did you mean ${networkText(c)}?`,
      });
    }
  }
  if (svc && svc.prefix < 12) {
    out.push({
      path: ['network', 'serviceCIDR'],
      message: `/${svc.prefix} is too large: kubeadm allows a service network of at most /12 (e.g. 10.96.0.0/12)`,
    });
  }
  if (pod) {
    const nodes = a.hosts.length;
    const slots = pod.prefix <= 24 ? 2 ** (24 - pod.prefix) : 0;
    if (slots < nodes) {
      out.push({
        path: ['network', 'podCIDR'],
        message: `${pod.text} has room for ${slots} node block(s) of /24 but there are ${nodes} nodes; use a larger block such as /16`,
      });
    }
  }
  if (pod && svc && cidrsOverlap(pod, svc)) {
    out.push({
      path: ['network', 'serviceCIDR'],
      message: `${svc.text} overlaps podCIDR ${pod.text}; pick non-overlapping ranges (e.g. 10.96.0.0/12 and 10.244.0.0/16)`,
    });
  }
  const lbNet = a.loadBalancer ? parseCidr(a.loadBalancer.vip) : undefined;
  for (const [field, c] of named) {
    if (!c) continue;
    if (lbNet && lbNet.prefix <= 30 && cidrsOverlap(c, lbNet)) {
      out.push({
        path: ['network', field],
        message: `${c.text} overlaps the control planes' subnet ${networkText(lbNet)}; pods and services need their own ranges`,
      });
      continue;
    }
    const hit = a.hosts.find((h) => isIPv4(h.address) && cidrContains(c, ipToInt(h.address)));
    if (hit) {
      out.push({
        path: ['network', field],
        message: `${c.text} contains host ${hit.name} (${hit.address}); pick a range that no host uses`,
      });
    }
  }
  return out;
}

function versionRules(a: Shape, catalog: Catalog): RuleProblem[] {
  const r = resolveKubernetesVersion(catalog, a.cluster.kubernetesVersion);
  if (!r.ok) return [{ path: ['cluster', 'kubernetesVersion'], message: r.message }];
  const want = a.versions?.containerd;
  const min = r.value.entry.containerd.minimum;
  if (want && compareSemver(want, min) < 0) {
    return [
      {
        path: ['versions', 'containerd'],
        message: `containerd ${want} is too old for Kubernetes ${r.value.minor}; it needs ${min} or newer`,
      },
    ];
  }
  return [];
}
