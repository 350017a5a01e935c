// Before a retry of init or join: `kubeadm reset -f` and the cleanup kubeadm leaves to you
// (CNI config, iptables, IPVS), so the retry does not trip over the first attempt's leftovers.
import type { Host } from '../answers/schema.js';
import { isMember } from './cluster-host.js';
import type { StepContext } from './engine/context.js';
import { StepError } from './engine/failure.js';
import { quote } from './transport/shell.js';

export const KUBEADM_LEFTOVERS =
  'test -f /etc/kubernetes/kubelet.conf || test -f /etc/kubernetes/bootstrap-kubelet.conf || test -n "$(ls -A /etc/kubernetes/manifests 2>/dev/null)"';

export async function hasLeftovers(ctx: StepContext): Promise<boolean> {
  return (await ctx.probe(KUBEADM_LEFTOVERS)).code === 0;
}

/**
 * Before a node's kubeadm state is wiped to join again: only a node that is not a member, or one whose
 * join this run (or the interrupted run it resumes) started itself. A member that merely looks unwell
 * is reported, never reset; when the API cannot tell, isMember stops the step.
 */
export async function resetBeforeJoin(ctx: StepContext, on: Host): Promise<void> {
  if (ctx.attempt === 1 && ctx.priorAttempts === 0 && (await isMember(ctx, ctx.node.name, on)))
    throw new StepError(
      `${ctx.node.name} is a member of the cluster, but its kubelet or control-plane components are not healthy; a member is never reset to join again`,
      `look at ${ctx.node.name} (systemctl status kubelet; crictl ps; journalctl -u kubelet). To rebuild it, remove it (k8sha-wizard remove --node ${ctx.node.name}) and run apply`,
    );
  await kubeadmReset(ctx);
}

export async function kubeadmReset(ctx: StepContext): Promise<void> {
  ctx.notice(`resetting kubeadm state on ${ctx.node.name} before it joins again`);
  await ctx.run(
    'kubeadm reset -f; rm -rf /etc/cni/net.d /var/lib/etcd; ' +
      '(iptables -F && iptables -t nat -F && iptables -t mangle -F && iptables -X) 2>/dev/null || true; ' +
      '(command -v ipvsadm >/dev/null && ipvsadm --clear) || true',
    { timeoutMs: 5 * 60_000 },
  );
}

/** The seed's 5.2: root (and a non-root SSH user) get admin.conf as their kubeconfig. */
export async function installRootKubeconfig(ctx: StepContext): Promise<void> {
  await ctx.run(
    'mkdir -p -m 700 /root/.kube && install -m 600 /etc/kubernetes/admin.conf /root/.kube/config',
  );
  const user = ctx.answers.hosts.find((h) => h.name === ctx.node.name)?.ssh?.user ?? ctx.answers.ssh.user;
  if (user !== 'root') {
    await ctx.run(
      `home=$(getent passwd ${quote(user)} | cut -d: -f6) && mkdir -p "$home/.kube" && install -m 600 -o ${quote(user)} /etc/kubernetes/admin.conf "$home/.kube/config"`,
    );
  }
}
