// After a reset of the whole cluster: the operator machine forgets that it was installed, so the next
// apply starts with kubeadm init instead of refusing to run it twice. The admin kubeconfig goes too.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Step } from './engine/step.js';

export const forgetCluster: Step = {
  id: 'forget-cluster',
  title: 'Forget the cluster on this machine',
  phase: 'reset',
  scope: 'cluster',
  appliesTo: () => true,
  retry: { tries: 1, delayMs: 0 },
  skippable: false,
  async check(ctx) {
    return (
      !ctx.svc.marks().initCompletedAt &&
      !existsSync(join(ctx.svc.kubeconfigDir, `${ctx.answers.cluster.name}.conf`))
    );
  },
  async apply(ctx) {
    ctx.svc.clearMarks();
    const kubeconfig = join(ctx.svc.kubeconfigDir, `${ctx.answers.cluster.name}.conf`);
    if (existsSync(kubeconfig)) {
      ctx.svc.removeLocal(kubeconfig);
      ctx.notice(`removed ${kubeconfig}`);
    }
    ctx.markChanged();
  },
};
