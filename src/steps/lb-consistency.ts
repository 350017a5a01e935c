// The control planes' load-balancer configurations, read back from the hosts and held against each
// other: one VRRP group (the same router id and VIP everywhere), distinct priorities (so exactly one
// node is preferred and failover has an order), and haproxy backends that are exactly the control
// planes' apiservers. A hand edit, or a broken render, shows here rather than minutes later as an
// API that comes and goes.
import { controlPlanes } from '../answers/model.js';
import { HAPROXY_CONFIG_PATH } from '../render/haproxy.js';
import { APISERVER_BIND_PORT } from '../render/kubeadm.js';
import { KEEPALIVED_CONFIG_PATH, vrrpPlan } from '../render/keepalived.js';
import type { StepContext } from './engine/context.js';

interface LbView {
  node: string;
  routerId?: string;
  priority?: number;
  /** The check script's weight: it follows the number of control planes the file was rendered for. */
  weight?: number;
  vip?: string;
  backends: string[];
}

async function read(ctx: StepContext, host: ReturnType<typeof controlPlanes>[number]): Promise<LbView> {
  const r = await ctx.probeOn(
    host,
    `cat ${KEEPALIVED_CONFIG_PATH} 2>/dev/null; echo ---HAPROXY---; cat ${HAPROXY_CONFIG_PATH} 2>/dev/null`,
  );
  const [keepalived = '', haproxy = ''] = r.stdout.split('---HAPROXY---');
  return {
    node: host.name,
    ...(/virtual_router_id\s+(\d+)/.exec(keepalived)?.[1]
      ? { routerId: /virtual_router_id\s+(\d+)/.exec(keepalived)![1]! }
      : {}),
    ...(/priority\s+(\d+)/.exec(keepalived)
      ? { priority: Number(/priority\s+(\d+)/.exec(keepalived)![1]) }
      : {}),
    ...(/weight\s+(-?\d+)/.exec(keepalived)
      ? { weight: Number(/weight\s+(-?\d+)/.exec(keepalived)![1]) }
      : {}),
    ...(/virtual_ipaddress\s*\{\s*(\S+)/.exec(keepalived)
      ? { vip: /virtual_ipaddress\s*\{\s*(\S+)/.exec(keepalived)![1]! }
      : {}),
    backends: [...haproxy.matchAll(/^\s*server\s+\S+\s+(\S+:\d+)/gm)].map((m) => m[1]!).sort(),
  };
}

const addressesOf = (backends: string[]) => backends.map((b) => b.replace(/:\d+$/, '')).sort();

/**
 * `allowStale`: while control planes are added or removed, a node that still balances over the
 * previous set of control planes (every backend on the apiserver port, another set of addresses) is
 * not a problem yet: load-balancer-update rolls the new configuration out after the joins. Its VRRP
 * group and VIP must still be right, and a wrong port is always a problem.
 */
export async function lbProblems(ctx: StepContext, opts: { allowStale?: boolean } = {}): Promise<string[]> {
  const lb = ctx.answers.loadBalancer;
  if (lb?.mode !== 'haproxy-keepalived') return []; // kube-vip: no peer lists to disagree
  const cps = controlPlanes(ctx.answers);
  const want = cps.map((h) => `${h.address}:${APISERVER_BIND_PORT}`).sort();
  const stale = (v: LbView) =>
    !!opts.allowStale &&
    v.backends.length > 0 &&
    v.backends.every((b) => b.endsWith(`:${APISERVER_BIND_PORT}`)) &&
    addressesOf(v.backends).join(',') !== addressesOf(want).join(',');
  // The same for keepalived: a file rendered for another number of control planes (its check weight
  // says so) has the previous set's priorities, which may equal a new node's until the roll reaches it
  // (a roll cut short, by kill -9 say, leaves haproxy.cfg new and keepalived.conf old on one node).
  const staleVrrp = (v: LbView) => {
    const h = cps.find((c) => c.name === v.node);
    return !!opts.allowStale && !!h && v.weight !== undefined && v.weight !== vrrpPlan(ctx.answers, h).weight;
  };
  // A control plane that is down cannot be read; the run reports it as unreachable already.
  const all = await Promise.all(cps.filter((h) => ctx.svc.facts[h.name]).map((h) => read(ctx, h)));
  const out: string[] = [];
  for (const v of all) {
    if (v.routerId !== String(lb.virtualRouterId))
      out.push(
        `${v.node}: keepalived's virtual_router_id is ${v.routerId ?? 'missing'}, not ${lb.virtualRouterId}: it would run a VRRP group of its own and hold the VIP too`,
      );
    if (v.vip !== lb.vip)
      out.push(`${v.node}: keepalived's virtual_ipaddress is ${v.vip ?? 'missing'}, not ${lb.vip}`);
    if (!stale(v) && v.backends.join(',') !== want.join(','))
      out.push(
        `${v.node}: haproxy forwards to ${v.backends.join(', ') || 'no backend'}, but the apiservers are ${want.join(', ')} (port ${APISERVER_BIND_PORT})`,
      );
  }
  const byPriority = new Map<number, string[]>();
  for (const v of all.filter((x) => !stale(x) && !staleVrrp(x)))
    if (v.priority !== undefined) byPriority.set(v.priority, [...(byPriority.get(v.priority) ?? []), v.node]);
  for (const [p, nodes] of byPriority)
    if (nodes.length > 1)
      out.push(
        `${nodes.join(' and ')} share keepalived priority ${p}: each control plane needs its own, so one is preferred for the VIP and a failover has an order`,
      );
  return out;
}
