// Where cluster-level work runs, and who is a member. Nothing here assumes master01: a cluster whose
// first control plane died and was replaced must be run from any control plane that still works.
import { APISERVER_PORT } from '../answers/defaults.js';
import { controlPlanes } from '../answers/model.js';
import type { Answers, Host } from '../answers/schema.js';
import type { EngineServices } from './engine/context.js';
import type { StepContext } from './engine/context.js';
import { StepError } from './engine/failure.js';
import { quote } from './transport/shell.js';

/**
 * A control plane of the running cluster, in the answers' order: one that was already joined when
 * this run began (kubelet.conf) and answered; on a cluster not installed yet, the first reachable one
 * (kubeadm init runs there). `except` skips a node (the one joining or leaving).
 */
export function clusterControlPlane(a: Answers, svc: Pick<EngineServices, 'facts'>, except?: string): Host {
  const cps = controlPlanes(a).filter((h) => h.name !== except);
  return (
    cps.find((h) => svc.facts[h.name]?.joined) ??
    cps.find((h) => svc.facts[h.name]) ??
    cps[0] ??
    controlPlanes(a)[0] ??
    a.hosts[0]!
  );
}

/** kubectl as root on a control plane, against its own apiserver (not the VIP, which may be moving). */
export function kubectlOn(h: Host): string {
  return `kubectl --kubeconfig /etc/kubernetes/admin.conf --server https://${h.address}:${APISERVER_PORT}`;
}

/** The read isMember makes (to prefetch it with others); an apiserver that hangs is given up after 10 s. */
export function memberQuery(name: string, on: Host): string {
  return `${kubectlOn(on)} --request-timeout=10s get node ${quote(name)} -o name 2>&1`;
}

/**
 * Is `name` a Node of the cluster, asked of `on`'s apiserver? Yes or no, or a StepError when the API
 * cannot tell: a check that cannot see the cluster must stop, never guess "not joined" and reset a
 * member.
 */
export async function isMember(ctx: StepContext, name: string, on: Host): Promise<boolean> {
  const r = await ctx.probeOn(on, memberQuery(name, on), { timeoutMs: 30_000 });
  if (r.code === 0) return true;
  if (/\(NotFound\)|not found/.test(r.stdout)) return false;
  throw new StepError(
    `cannot tell whether ${name} is a member of the cluster: the API on ${on.name} does not answer (${r.stdout.trim().split('\n').at(-1) ?? `exit ${r.code}`})`,
    `check ${on.name} (systemctl status kubelet; crictl ps), then run the command again; nothing was changed on ${name}`,
  );
}
