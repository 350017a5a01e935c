// loadBalancer.mode kube-vip: the static pod that holds the VIP. On the first control plane it goes in
// before `kubeadm init` (with super-admin.conf) and is switched to admin.conf right after; the other
// control planes get it once they have joined (kubeadm join refuses a non-empty manifests directory).
import { vipAddress, usesKubeVip } from '../answers/model.js';
import { KUBE_VIP_MANIFEST_PATH, renderKubeVip } from '../render/kube-vip.js';
import type { Step } from './engine/step.js';
import type { StepContext } from './engine/context.js';
import { StepError } from './engine/failure.js';
import { fileReads, upToDate } from './packages.js';
import { waitForVip } from './vip-ready.js';
import { quote } from './transport/shell.js';

/** The manifest kubeadm init starts with: the same pod, reading super-admin.conf. */
export async function writeBootstrapKubeVip(ctx: StepContext): Promise<void> {
  if (!usesKubeVip(ctx.answers)) return;
  const f = ctx.svc.facts[ctx.node.name];
  await ctx.ensureFile(
    renderKubeVip(ctx.answers, ctx.catalog, ctx.node, f, {
      bootstrap: true,
    }),
  );
}

/** Wait until the VIP answers (any holder), pointing at kube-vip when it does not. */
export function waitForKubeVip(ctx: StepContext, seconds: number, after: string): Promise<void> {
  return waitForVip(
    ctx,
    seconds,
    `the VIP ${vipAddress(ctx.answers)} does not answer on port ${ctx.answers.loadBalancer!.port} ${after}`,
    'look at kube-vip on the control planes (crictl ps --name kube-vip, then crictl logs on its id) and who holds the Lease: kubectl -n kube-system get lease plndr-cp-lock',
  );
}

const RUNNING_KUBE_VIP = 'crictl ps --name kube-vip --state running -q 2>/dev/null | head -n 1';

/**
 * The final manifest (admin.conf) on this control plane; when it changed and kube-vip ran already,
 * wait until the kubelet has restarted it from the new file (its file check runs every 20 s), so
 * the VIP check that follows is about the new pod. True when the file changed.
 */
export async function writeKubeVip(ctx: StepContext): Promise<boolean> {
  const before = (await ctx.probe(RUNNING_KUBE_VIP)).stdout.trim();
  if (!(await ctx.ensureFile(ctx.file(KUBE_VIP_MANIFEST_PATH)))) return false;
  if (!before) return true;
  const r = await ctx.run(
    `for i in $(seq 1 60); do c=$(${RUNNING_KUBE_VIP}); [ -n "$c" ] && [ "$c" != ${quote(before)} ] && exit 0; sleep 1; done; exit 1`,
    { allowFail: true, label: 'wait up to 60 s for the kubelet to restart kube-vip from the new manifest' },
  );
  if (r.code !== 0)
    throw new StepError(
      `the kubelet on ${ctx.node.name} did not restart kube-vip within 60 s of its new manifest`,
      'look at the kubelet there (journalctl -u kubelet; crictl ps -a --name kube-vip), then Retry',
    );
  return true;
}

/**
 * Every control plane runs kube-vip with admin.conf, one at a time: a rewritten manifest restarts
 * the pod (on the holder the VIP moves), so each waits until the VIP answers before the next.
 */
export const kubeVip: Step = {
  id: 'kube-vip',
  title: 'kube-vip on each control plane, one at a time',
  phase: 'lb',
  scope: 'node',
  appliesTo: (h, a) => h.role === 'control-plane' && usesKubeVip(a),
  serial: true,
  retry: { tries: 2, delayMs: 3000 },
  skippable: false,
  reads: (ctx) => fileReads(ctx, [KUBE_VIP_MANIFEST_PATH]),
  check: (ctx) => upToDate(ctx, KUBE_VIP_MANIFEST_PATH),
  async apply(ctx) {
    const joined = await ctx.probe('test -f /etc/kubernetes/kubelet.conf');
    if (joined.code !== 0)
      throw new StepError(
        `${ctx.node.name} has not joined the cluster, so its kubelet would not run kube-vip`,
        'run apply again to join it (a skipped join leaves it out)',
      );
    if (await writeKubeVip(ctx))
      await waitForKubeVip(ctx, 30, `after kube-vip was written on ${ctx.node.name}`);
  },
};
