// When a step fails, a look around that a message alone cannot give: which of a node's required
// ports are dropped on the way from a peer (a firewall), and whether the API answers locally but not
// through the load balancer (haproxy's backends). Read-only probes, run only after a failure.
import { apiEndpointText, usesKubeVip } from '../answers/model.js';
import { clusterControlPlane } from './cluster-host.js';
import type { Host } from '../answers/schema.js';
import { APISERVER_BIND_PORT } from '../render/kubeadm.js';
import type { StepContext } from './engine/context.js';
import { firewallRules } from './firewall-ports.js';
import { quote } from './transport/shell.js';

/** TCP ports `to` must accept (its role's firewall rules) that `from` cannot reach: dropped, not refused. */
export async function droppedPorts(ctx: StepContext, from: Host, to: Host): Promise<string[]> {
  const ports = firewallRules(ctx.answers, to)
    .ports.filter((p) => p.endsWith('/tcp') && !p.startsWith('30000'))
    .flatMap((p) => {
      const [range] = p.split('/');
      const [a, b] = range!.split('-').map(Number);
      return b ? [a!, b] : [a!];
    });
  if (!ports.length) return [];
  // curl exit 7: refused (reached the host, nothing listens); 28 with no connect time: dropped.
  const script = ports
    .map(
      (p) =>
        `t=$(curl -s -o /dev/null --connect-timeout 2 --max-time 3 -w '%{time_connect}' ${quote(`http://${to.address}:${p}/`)}); rc=$?; [ "$rc" = 28 ] && [ "$t" = 0.000000 ] && echo ${p}`,
    )
    .join('; ');
  const r = await ctx.probeOn(from, `${script}; true`, { timeoutMs: 30_000 });
  return r.stdout.split(/\s+/).filter(Boolean);
}

/** "…: 2379, 2380/tcp on master02 are dropped from master01 (a firewall)" or undefined. */
export async function firewallCause(
  ctx: StepContext,
  to: Host,
  fromHost?: Host,
): Promise<string | undefined> {
  const from = fromHost ?? clusterControlPlane(ctx.answers, ctx.svc, to.name);
  if (!from) return undefined;
  const dropped = await droppedPorts(ctx, from, to);
  return dropped.length
    ? `port(s) ${dropped.join(', ')}/tcp on ${to.name} do not answer from ${from.name}: the packets are dropped (a firewall on ${to.name}, or on the way). Open them (system.firewall: open does this) and Retry`
    : undefined;
}

/** The API answers on this control plane's own port, but not through the load balancer. */
export async function loadBalancerCause(ctx: StepContext, cp: Host): Promise<string | undefined> {
  if (!ctx.answers.loadBalancer) return undefined;
  const local = await ctx.probeOn(
    cp,
    `curl -sfk --max-time 3 https://127.0.0.1:${APISERVER_BIND_PORT}/livez`,
  );
  if (local.code !== 0) return undefined;
  const viaLb = await ctx.probeOn(
    cp,
    `curl -sk --max-time 3 -o /dev/null -w '%{http_code}' ${quote(`https://${apiEndpointText(ctx.answers)}/livez`)}`,
  );
  if (viaLb.stdout.trim() === '200') return undefined;
  if (usesKubeVip(ctx.answers))
    return `the apiserver on ${cp.name} answers on its own port ${APISERVER_BIND_PORT}, but not through the VIP at ${apiEndpointText(ctx.answers)} (answer: ${viaLb.stdout.trim() || `curl exit ${viaLb.code}`}): no kube-vip holds it. Look at kube-vip on the control planes (crictl ps --name kube-vip; crictl logs on it) and the Lease kube-system/plndr-cp-lock`;
  return `the apiserver on ${cp.name} answers on its own port ${APISERVER_BIND_PORT}, but not through the load balancer at ${apiEndpointText(ctx.answers)} (answer: ${viaLb.stdout.trim() || `curl exit ${viaLb.code}`}): check the backends in /etc/haproxy/haproxy.cfg on the VIP holder (each must be a control plane's :${APISERVER_BIND_PORT}) and \`systemctl status haproxy\``;
}
