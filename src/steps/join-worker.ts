// Step 8: workers join in parallel (bounded by --concurrency).
import { controlPlanes } from '../answers/model.js';
import { clusterControlPlane, isMember } from './cluster-host.js';
import { firewallCause, loadBalancerCause } from './diagnose.js';
import { KUBEADM_CONFIG_PATH } from '../render/kubeadm.js';
import type { Step } from './engine/step.js';
import { hasLeftovers, kubeadmReset, resetBeforeJoin } from './kubeadm-reset.js';

export const joinWorker: Step = {
  id: 'join-worker',
  title: 'kubeadm join (worker)',
  phase: 'join',
  scope: 'node',
  appliesTo: (h) => h.role === 'worker',
  retry: { tries: 2, delayMs: 10_000 },
  // The cluster works without one worker; it can be joined later with another apply.
  skippable: true,
  reset: kubeadmReset,
  async check(ctx) {
    const local = await ctx.probe(
      'test -f /etc/kubernetes/kubelet.conf && systemctl is-active --quiet kubelet',
    );
    // kubelet.conf alone can be left by a join that was cut short; ask the cluster too (which stops
    // the run, rather than guess, when the API cannot answer).
    return (
      local.code === 0 && (await isMember(ctx, ctx.node.name, clusterControlPlane(ctx.answers, ctx.svc)))
    );
  },
  async apply(ctx) {
    if (await hasLeftovers(ctx)) await resetBeforeJoin(ctx, clusterControlPlane(ctx.answers, ctx.svc));
    await ctx.ensureFile(ctx.file(KUBEADM_CONFIG_PATH));
    await ctx.run(`kubeadm join --config ${KUBEADM_CONFIG_PATH}`, { timeoutMs: 20 * 60_000 });
  },
  async diagnose(ctx) {
    // A worker reaches the cluster through the VIP: a firewall on a control plane is the usual culprit.
    for (const cp of controlPlanes(ctx.answers)) {
      const cause = await firewallCause(ctx, cp, ctx.node);
      if (cause) return cause;
    }
    return loadBalancerCause(ctx, clusterControlPlane(ctx.answers, ctx.svc));
  },
};
