// Step 7: the other control planes join one at a time, each after the cluster and etcd are healthy.
import { initNode } from '../answers/model.js';
import { KUBEADM_CONFIG_PATH } from '../render/kubeadm.js';
import type { Step } from './engine/step.js';
import { StepError } from './engine/failure.js';
import { LOCAL_APISERVER_HEALTHY } from './init-control-plane.js';
import { hasLeftovers, installRootKubeconfig, kubeadmReset, registered } from './kubeadm-reset.js';

const READYZ = 'kubectl --kubeconfig /etc/kubernetes/admin.conf get --raw /readyz >/dev/null 2>&1';

export const joinControlPlane: Step = {
  id: 'join-control-plane',
  title: 'kubeadm join (control plane)',
  phase: 'join',
  scope: 'node',
  appliesTo: (h, a) => h.role === 'control-plane' && h.name !== initNode(a).name,
  retry: { tries: 2, delayMs: 10_000 },
  skippable: false,
  resetBeforeRetry: true,
  async check(ctx) {
    const local = await ctx.probe(
      `test -f /etc/kubernetes/kubelet.conf && test -f /etc/kubernetes/manifests/kube-apiserver.yaml && ${LOCAL_APISERVER_HEALTHY}`,
    );
    return local.code === 0 && (await registered(ctx, initNode(ctx.answers)));
  },
  async apply(ctx) {
    const first = initNode(ctx.answers);
    const health = await ctx.runOn(
      first,
      `for i in $(seq 1 90); do if ${READYZ}; then exit 0; fi; sleep 2; done; exit 1`,
      {
        allowFail: true,
        label: 'wait until the cluster and etcd are healthy (kubectl get --raw /readyz)',
      },
    );
    if (health.code !== 0)
      throw new StepError(
        'the cluster is not healthy (readyz fails: etcd has no quorum or an apiserver is down), so another control plane must not join now',
        `check ${first.name}: kubectl --kubeconfig /etc/kubernetes/admin.conf get --raw '/readyz?verbose'`,
      );
    if (ctx.attempt > 1 || (await hasLeftovers(ctx))) await kubeadmReset(ctx);
    await ctx.ensureFile(ctx.file(KUBEADM_CONFIG_PATH));
    await ctx.run(`kubeadm join --config ${KUBEADM_CONFIG_PATH}`, { timeoutMs: 20 * 60_000 });
    await installRootKubeconfig(ctx);
  },
};
