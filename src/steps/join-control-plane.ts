// Step 7: the other control planes join one at a time, each after the cluster and etcd are healthy.
// A join that was cut short (kill -9, a lost link) can leave an etcd member behind that never
// started or was never promoted; it is removed through a healthy member before the node joins again,
// so it neither blocks the new member-add nor counts against quorum.
import { controlPlanes } from '../answers/model.js';
import type { Host } from '../answers/schema.js';
import { clusterControlPlane, isMember, memberQuery } from './cluster-host.js';
import { KUBEADM_CONFIG_PATH } from '../render/kubeadm.js';
import type { Step } from './engine/step.js';
import type { StepContext } from './engine/context.js';
import { CommandFailed, StepError } from './engine/failure.js';
import { firewallCause, loadBalancerCause } from './diagnose.js';
import { MEMBER_LIST, etcdMembers, halfJoined, peerUrl, removeEtcdMember } from './etcd-members.js';
import { LOCAL_APISERVER_HEALTHY } from './init-control-plane.js';
import { hasLeftovers, installRootKubeconfig, kubeadmReset, resetBeforeJoin } from './kubeadm-reset.js';

// A request timeout of its own: without quorum the apiserver holds a readyz request open.
const READYZ =
  'kubectl --kubeconfig /etc/kubernetes/admin.conf --request-timeout=5s get --raw /readyz >/dev/null 2>&1';
/** How long a join waits for a healthy cluster first (a restarting member or apiserver is back well within it). */
const HEALTHY_WAIT_S = 60;

const LOCALLY_HEALTHY = `test -f /etc/kubernetes/kubelet.conf && test -f /etc/kubernetes/manifests/kube-apiserver.yaml && ${LOCAL_APISERVER_HEALTHY}`;

async function locallyHealthy(ctx: StepContext): Promise<boolean> {
  return (await ctx.probe(LOCALLY_HEALTHY)).code === 0;
}

/** A working control plane other than this one, to ask about the cluster. */
function peer(ctx: StepContext): Host {
  return clusterControlPlane(ctx.answers, ctx.svc, ctx.node.name);
}

/** Remove this node's etcd member if a join that never finished left it behind. */
async function removeHalfJoinedMember(ctx: StepContext): Promise<void> {
  const first = peer(ctx);
  const members = await etcdMembers(ctx, first);
  const mine = members?.find((m) => m.peerURLs.includes(peerUrl(ctx.node)));
  if (!mine) return;
  if (!halfJoined(mine) && (await locallyHealthy(ctx))) return;
  ctx.notice(
    `etcd still lists member ${mine.id} for ${peerUrl(ctx.node)} (${mine.name ? 'a learner that was never promoted' : 'added, never started'}) from a join that did not finish; removing it through ${first.name} before joining again`,
  );
  await removeEtcdMember(ctx, first, mine);
}

export const joinControlPlane: Step = {
  id: 'join-control-plane',
  title: 'kubeadm join (control plane)',
  phase: 'join',
  scope: 'node',
  // Every control plane: the one kubeadm init ran on is a healthy member and checks done. A first
  // control plane that was removed and comes back is just another join.
  appliesTo: (h) => h.role === 'control-plane',
  // Each join grows etcd by one member; two at once could lose quorum.
  serial: true,
  retry: { tries: 2, delayMs: 10_000 },
  skippable: false,
  reset: kubeadmReset,
  // The check's three reads in one round trip: each is bounded (curl's timeouts, kubectl's 10 s).
  reads: (ctx) =>
    ctx.svc.context().initializedOn === ctx.node.name
      ? []
      : [LOCALLY_HEALTHY, memberQuery(ctx.node.name, ctx.node), MEMBER_LIST],
  async check(ctx) {
    if (ctx.svc.context().initializedOn === ctx.node.name) return true;
    if (!(await locallyHealthy(ctx))) return false;
    // Its own apiserver answers (locally healthy), so it can say whether it is a member.
    const on = ctx.node;
    if (!(await isMember(ctx, ctx.node.name, on))) return false;
    // Joined means a started, voting etcd member too; a learner left behind is not a finished join.
    // When etcd's member list cannot be read, the local and API evidence stands: never re-join a member
    // on a guess.
    const members = await etcdMembers(ctx, on);
    if (!members) return true;
    const mine = members.find((m) => m.peerURLs.includes(peerUrl(ctx.node)));
    return !!mine && !halfJoined(mine);
  },
  async apply(ctx) {
    const first = peer(ctx);
    const wait = ctx.svc.waitSeconds(HEALTHY_WAIT_S);
    const health = await ctx.runOn(
      first,
      `end=$(($(date +%s) + ${wait})); while [ "$(date +%s)" -lt "$end" ]; do if ${READYZ}; then exit 0; fi; sleep 2; done; exit 1`,
      {
        allowFail: true,
        label: `wait up to ${wait} s until the cluster and etcd are healthy (kubectl get --raw /readyz)`,
      },
    );
    if (health.code !== 0)
      throw new StepError(
        `the cluster is not healthy (readyz fails for ${wait} s: etcd has no quorum or an apiserver is down), so another control plane must not join now`,
        `check ${first.name}: kubectl --kubeconfig /etc/kubernetes/admin.conf get --raw '/readyz?verbose'`,
        false, // it has just waited; a retry would only wait again
      );
    await removeHalfJoinedMember(ctx);
    if (await hasLeftovers(ctx)) await resetBeforeJoin(ctx, first);
    await ctx.ensureFile(ctx.file(KUBEADM_CONFIG_PATH));
    try {
      await ctx.run(`kubeadm join --config ${KUBEADM_CONFIG_PATH}`, { timeoutMs: 20 * 60_000 });
    } catch (e) {
      if (
        e instanceof CommandFailed &&
        e.stderrTail.some((l) => /Secret "kubeadm-certs" was not found/.test(l))
      )
        throw new StepError(
          `the control-plane certificates uploaded for the joins${ctx.svc.marks().certsUploadedAt ? ` at ${ctx.svc.marks().certsUploadedAt}` : ''} have expired on the cluster (the kubeadm-certs Secret lasts 2 hours)`,
          'run apply again: a new run uploads them again under a fresh certificate key before the next join',
        );
      throw e;
    }
    await installRootKubeconfig(ctx);
  },
  async diagnose(ctx) {
    // The join goes through the VIP to the other control planes, and they must reach this one's etcd.
    for (const cp of controlPlanes(ctx.answers)) {
      if (cp.name === ctx.node.name) continue;
      const cause = await firewallCause(ctx, cp, ctx.node);
      if (cause) return cause;
    }
    return (await firewallCause(ctx, ctx.node)) ?? (await loadBalancerCause(ctx, peer(ctx)));
  },
};
