// Before `kubeadm init`: the VIP must answer on the LB port (haproxy reached through keepalived).
import { clusterControlPlane } from './cluster-host.js';
import { controlPlanes, usesHaproxy, vipAddress } from '../answers/model.js';
import type { Answers } from '../answers/schema.js';
import { firewallCause } from './diagnose.js';
import { lbProblems } from './lb-consistency.js';
import type { Step } from './engine/step.js';
import type { StepContext } from './engine/context.js';
import { StepError } from './engine/failure.js';
import { quote } from './transport/shell.js';

/** curl exit 7 (nothing listens) and 28 (no answer) mean the VIP is not serving; anything else is haproxy. */
export function vipAnswers(a: Answers): string {
  const lb = a.loadBalancer!;
  const url = `https://${vipAddress(a)}:${lb.port}/`;
  return `curl -sk -o /dev/null --max-time 2 ${quote(url)}; rc=$?; [ "$rc" -ne 7 ] && [ "$rc" -ne 28 ]`;
}

/** Wait on the host, up to `seconds`, until the VIP answers (any holder); else fail with `failure`. */
export async function waitForVip(
  ctx: StepContext,
  seconds: number,
  failure: string,
  hint: string,
): Promise<void> {
  const lb = ctx.answers.loadBalancer!;
  const r = await ctx.run(
    `for i in $(seq 1 ${seconds}); do if ${vipAnswers(ctx.answers)}; then exit 0; fi; sleep 1; done; exit 1`,
    { allowFail: true, label: `wait up to ${seconds} s for ${vipAddress(ctx.answers)}:${lb.port} to answer` },
  );
  if (r.code !== 0) throw new StepError(failure, hint);
}

const vipStep = (id: string, title: string, allowStale: boolean): Step => ({
  id,
  title,
  phase: 'lb',
  scope: 'cluster',
  // kube-vip needs the API to elect a holder, so its VIP appears only with kubeadm init (kube-vip step).
  appliesTo: (_h, a) => usesHaproxy(a),
  runsOn: (a, svc) => clusterControlPlane(a, svc),
  retry: { tries: 2, delayMs: 5000 },
  skippable: false,
  async check(ctx) {
    if ((await lbProblems(ctx, { allowStale })).length) return false;
    // Done when the VIP answers, whichever control plane holds it. Right after a failover the VIP may
    // be moving (VRRP settles in a few seconds), so a short wait is part of the read-only check, but
    // only where keepalived runs: before the install nothing will answer, and waiting costs 30 s+.
    return (
      (
        await ctx.probe(
          `if ${vipAnswers(ctx.answers)}; then exit 0; fi; systemctl is-active --quiet keepalived || exit 1; for i in $(seq 1 20); do if ${vipAnswers(ctx.answers)}; then exit 0; fi; sleep 0.5; done; exit 1`,
        )
      ).code === 0
    );
  },
  async apply(ctx) {
    const problems = await lbProblems(ctx, { allowStale });
    if (problems.length)
      throw new StepError(
        `the control planes' load-balancer configurations disagree: ${problems.join('; ')}`,
        'run apply again to rewrite /etc/keepalived/keepalived.conf and /etc/haproxy/haproxy.cfg as rendered (look for hand edits first)',
        false, // the files stay as they are until a new run rewrites them
      );
    const lb = ctx.answers.loadBalancer!;
    await waitForVip(
      ctx,
      60,
      `the VIP ${vipAddress(ctx.answers)} does not answer on port ${lb.port} after 60 s`,
      'check keepalived on the control planes (systemctl status keepalived; is VRRP/multicast allowed between them?) and haproxy (systemctl status haproxy)',
    );
  },
  async diagnose(ctx) {
    for (const cp of controlPlanes(ctx.answers)) {
      if (cp.name === ctx.node.name) continue;
      const cause = await firewallCause(ctx, cp, ctx.node);
      if (cause) return cause;
    }
    return undefined;
  },
});

/**
 * Before init and joins. On a running cluster that gains or loses control planes, a node that still
 * balances over the previous set is expected here (load-balancer-update comes after the joins).
 */
export const vipReady = vipStep('vip-ready', 'Load balancer consistent; VIP answers', true);

/** After load-balancer-update: every control plane balances over exactly the answers' control planes. */
export const loadBalancerConsistent = vipStep(
  'load-balancer-consistent',
  'Every load balancer agrees; VIP answers',
  false,
);
