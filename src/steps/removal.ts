// Taking one node out of a running cluster, cluster side: refuse what must not happen, drain the
// node (evictions, so PodDisruptionBudgets hold), remove its etcd member through a healthy peer, and
// delete its Node. Each step checks the cluster first, so a rerun after kill -9 goes on where it was.
// Every read and change runs on a working control plane that stays, never on the one leaving.
import { controlPlanes } from '../answers/model.js';
import type { Host } from '../answers/schema.js';
import { clusterControlPlane, isMember, kubectlOn } from './cluster-host.js';
import type { StepContext } from './engine/context.js';
import { CommandFailed, Refusal, StepError } from './engine/failure.js';
import type { Step } from './engine/step.js';
import { etcdApi, etcdMembers, peerUrl, removeEtcdMember, type EtcdMember } from './etcd-members.js';
import { quote } from './transport/shell.js';

export const DEFAULT_DRAIN_TIMEOUT_SECONDS = 300;

/** The node this operation takes out (recorded in the journal, so a resume knows it too). */
export function leaving(ctx: StepContext): Host {
  const h = ctx.svc.departing[0];
  if (!h) throw new Error('no departing node (the remove operation needs one)');
  return h;
}

const on = (ctx: StepContext) => clusterControlPlane(ctx.answers, ctx.svc);
const reachable = (ctx: StepContext, h: Host) => !!ctx.svc.facts[h.name];

/** Each member's health, asked from `from` (a member that does not answer is unhealthy). */
export async function memberHealth(
  ctx: StepContext,
  from: Host,
  members: EtcdMember[],
): Promise<Map<string, boolean>> {
  const out = new Map<string, boolean>();
  await Promise.all(
    members.map(async (m) => {
      const url = m.clientURLs[0];
      if (!url || m.isLearner) return out.set(m.id, false);
      const r = await ctx.probeOn(from, etcdApi('/v3/maintenance/status', {}, url), { timeoutMs: 15_000 });
      out.set(m.id, r.code === 0 && /"header"/.test(r.stdout) && !/"error"/.test(r.stdout));
    }),
  );
  return out;
}

export const quorum = (members: number) => Math.floor(members / 2) + 1;

export const removalCheck: Step = {
  id: 'removal-check',
  title: 'Is it safe to remove the node?',
  phase: 'drain',
  scope: 'cluster',
  appliesTo: () => true,
  runsOn: (a, svc) => clusterControlPlane(a, svc),
  retry: { tries: 1, delayMs: 0 },
  skippable: false,
  check: async () => false,
  async apply(ctx) {
    const node = leaving(ctx);
    if (node.role !== 'control-plane') return;
    if (controlPlanes(ctx.answers).length === 0)
      throw new Refusal(
        `${node.name} is the last control plane: removing it would leave no cluster`,
        'to tear the cluster down, use k8sha-wizard reset',
      );
    const from = on(ctx);
    const members = await etcdMembers(ctx, from);
    if (!members)
      throw new StepError(
        `etcd's member list cannot be read on ${from.name}, so it cannot be told whether removing ${node.name} keeps quorum`,
        `check etcd on ${from.name} (crictl ps --name etcd), then run remove again; nothing was changed`,
      );
    const mine = members.find((m) => m.peerURLs.includes(peerUrl(node)));
    if (!mine) {
      ctx.notice(`${node.name} is not an etcd member (any more)`);
      return;
    }
    const health = await memberHealth(ctx, from, members);
    const remaining = members.filter((m) => m.id !== mine.id);
    const healthy = remaining.filter((m) => health.get(m.id)).length;
    if (healthy < quorum(remaining.length))
      throw new Refusal(
        `removing ${node.name} would leave etcd with ${remaining.length} member(s), of which only ${healthy} ${healthy === 1 ? 'is' : 'are'} healthy; etcd needs ${quorum(remaining.length)} to keep quorum`,
        `bring the unhealthy members back first (${remaining
          .filter((m) => !health.get(m.id))
          .map((m) => m.name || m.id)
          .join(', ')}), or remove a dead member before a healthy one; nothing was changed`,
      );
    ctx.svc.setContext('etcdMember', mine.id);
  },
};

/** Pods a drain could not evict, from kubectl's output (pod names with their namespace). */
export function blockingPods(output: string): string[] {
  const pods = new Set<string>();
  for (const m of output.matchAll(/evicting pods?\/"?([\w.-]+)"? -n "?([\w.-]+)"?/g))
    pods.add(`${m[2]}/${m[1]}`);
  for (const m of output.matchAll(/pod "([\w.-]+)" in namespace "([\w.-]+)"/g)) pods.add(`${m[2]}/${m[1]}`);
  for (const r of refusedPods(output)) for (const pod of r.pods) pods.add(pod);
  return [...pods];
}

/**
 * What kubectl drain refuses outright, before any eviction: "cannot delete Pods that declare no
 * controller (use --force to override): default/web-1, default/web-2" (likewise pods with local
 * storage). Waiting longer does not help these.
 */
export function refusedPods(output: string): { why: string; pods: string[] }[] {
  const out = new Map<string, Set<string>>();
  for (const m of output.matchAll(
    /cannot delete ([^:\n]+?) \(use --[\w-]+ to override\): ((?:[\w.-]+\/[\w.-]+)(?:, [\w.-]+\/[\w.-]+)*)/g,
  )) {
    const set = out.get(m[1]!) ?? new Set<string>();
    for (const pod of m[2]!.split(', ')) set.add(pod);
    out.set(m[1]!, set);
  }
  return [...out].map(([why, pods]) => ({ why, pods: [...pods] }));
}

export const drainNode: Step = {
  id: 'drain',
  title: 'Cordon and drain',
  phase: 'drain',
  scope: 'cluster',
  appliesTo: () => true,
  runsOn: (a, svc) => clusterControlPlane(a, svc),
  retry: { tries: 1, delayMs: 0 },
  skippable: false,
  async check(ctx) {
    return !(await isMember(ctx, leaving(ctx).name, on(ctx)));
  },
  async apply(ctx) {
    const node = leaving(ctx);
    if (!reachable(ctx, node)) {
      await ctx.run(`${kubectlOn(ctx.node)} cordon ${quote(node.name)}`);
      // A dead node cannot stop its pods; they are rescheduled once its Node object is deleted.
      ctx.notice(
        `${node.name} is unreachable: cordoned, not drained; its pods move when its Node is deleted`,
      );
      return;
    }
    await drainWithEvictions(ctx, ctx.node, node);
  },
};

/**
 * Cordon `node`, then drain it with evictions (PodDisruptionBudgets hold) from the control plane
 * `on`, within the run's drain timeout; on a timeout it stays cordoned and the blocking pods are named.
 */
export async function drainWithEvictions(ctx: StepContext, on: Host, node: Host): Promise<void> {
  const kubectl = kubectlOn(on);
  await ctx.runOn(on, `${kubectl} cordon ${quote(node.name)}`);
  const seconds = ctx.svc.choices.drainTimeoutSeconds ?? DEFAULT_DRAIN_TIMEOUT_SECONDS;
  try {
    await ctx.runOn(
      on,
      `${kubectl} drain ${quote(node.name)} --ignore-daemonsets --delete-emptydir-data --timeout=${seconds}s 2>&1`,
      {
        timeoutMs: (seconds + 60) * 1000,
        label: `drain ${node.name} (evictions; PodDisruptionBudgets hold; up to ${seconds} s)`,
      },
    );
  } catch (e) {
    if (!(e instanceof CommandFailed)) throw e;
    const output = e.stderrTail.join('\n');
    const refused = refusedPods(output);
    if (refused.length)
      throw new StepError(
        `${node.name} cannot be drained: ${refused.map((r) => `${r.why}: ${r.pods.join(', ')}`).join('; ')}. It stays cordoned`,
        `an eviction would lose these pods for good: give them a controller (a Deployment or StatefulSet), or move or delete them yourself, then run ${ctx.svc.operation.id} again`,
        false,
      );
    const pods = blockingPods(output);
    throw new StepError(
      `${node.name} did not drain within ${seconds} s${pods.length ? `; these pods could not be evicted: ${pods.join(', ')}` : ''}. It stays cordoned`,
      `a PodDisruptionBudget or a pod without a controller blocks the eviction: scale the workload, relax the budget, or pass a longer --drain-timeout, then run ${ctx.svc.operation.id} again`,
    );
  }
}

export const removeEtcdMemberStep: Step = {
  id: 'etcd-member-remove',
  title: 'Remove its etcd member through a healthy peer',
  phase: 'etcd',
  scope: 'cluster',
  appliesTo: () => true,
  runsOn: (a, svc) => clusterControlPlane(a, svc),
  retry: { tries: 3, delayMs: 5000 },
  skippable: false,
  async check(ctx) {
    const node = leaving(ctx);
    if (node.role !== 'control-plane') return true;
    const members = await etcdMembers(ctx, ctx.node);
    if (!members)
      throw new StepError(
        `etcd's member list cannot be read on ${ctx.node.name}`,
        `check etcd there, then run remove again`,
      );
    return !members.some((m) => m.peerURLs.includes(peerUrl(node)));
  },
  async apply(ctx) {
    const node = leaving(ctx);
    const members = (await etcdMembers(ctx, ctx.node)) ?? [];
    const mine = members.find((m) => m.peerURLs.includes(peerUrl(node)));
    if (mine) await removeEtcdMember(ctx, ctx.node, mine);
  },
};

export const deleteNode: Step = {
  id: 'delete-node',
  title: 'Delete the Node object',
  phase: 'etcd',
  scope: 'cluster',
  appliesTo: () => true,
  runsOn: (a, svc) => clusterControlPlane(a, svc),
  retry: { tries: 3, delayMs: 3000 },
  skippable: false,
  async check(ctx) {
    return !(await isMember(ctx, leaving(ctx).name, ctx.node));
  },
  async apply(ctx) {
    await ctx.run(`${kubectlOn(ctx.node)} delete node ${quote(leaving(ctx).name)} --wait=false`);
  },
};
