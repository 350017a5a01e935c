// Step 8: workers join in parallel (bounded by --concurrency).
import { initNode } from '../answers/model.js';
import { KUBEADM_CONFIG_PATH } from '../render/kubeadm.js';
import type { Step } from './engine/step.js';
import { hasLeftovers, kubeadmReset, registered } from './kubeadm-reset.js';

export const joinWorker: Step = {
  id: 'join-worker',
  title: 'kubeadm join (worker)',
  phase: 'join',
  scope: 'node',
  appliesTo: (h) => h.role === 'worker',
  retry: { tries: 2, delayMs: 10_000 },
  // The cluster works without one worker; it can be joined later with another apply.
  skippable: true,
  resetBeforeRetry: true,
  async check(ctx) {
    const local = await ctx.probe(
      'test -f /etc/kubernetes/kubelet.conf && systemctl is-active --quiet kubelet',
    );
    // kubelet.conf alone can be left by a join that was cut short; ask the cluster too.
    return local.code === 0 && (await registered(ctx, initNode(ctx.answers)));
  },
  async apply(ctx) {
    if (ctx.attempt > 1 || (await hasLeftovers(ctx))) await kubeadmReset(ctx);
    await ctx.ensureFile(ctx.file(KUBEADM_CONFIG_PATH));
    await ctx.run(`kubeadm join --config ${KUBEADM_CONFIG_PATH}`, { timeoutMs: 20 * 60_000 });
  },
};
