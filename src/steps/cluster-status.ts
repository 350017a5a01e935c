// The cluster's health, read-only, from one working control plane: nodes (reachable, role, kubelet
// version, Ready, cordoned), etcd (members, leader, health, quorum), the VIP's holder and which
// apiservers answer (haproxy's backends, or kube-vip's candidates), the first certificate to expire, and the drift between the
// answers and the cluster. The report is kept in the run's context for the status command.
import { APISERVER_PORT } from '../answers/defaults.js';
import { controlPlanes, resolvedVersion, usesKubeVip } from '../answers/model.js';
import { firstExpiry } from './cert-renewal.js';
import { clusterControlPlane, kubectlOn } from './cluster-host.js';
import type { StepContext } from './engine/context.js';
import type { Step } from './engine/step.js';
import { etcdApi, etcdMembers, type EtcdMember } from './etcd-members.js';
import { memberHealth, quorum } from './removal.js';
import { quote } from './transport/shell.js';

export interface NodeStatus {
  name: string;
  role: string;
  reachable: boolean;
  inCluster: boolean;
  kubeletVersion?: string;
  ready?: boolean;
  cordoned?: boolean;
}

export interface ClusterStatus {
  healthy: boolean;
  problems: string[];
  askedOn?: string;
  nodes: NodeStatus[];
  etcd: {
    members: { name: string; id: string; healthy: boolean; leader: boolean; learner: boolean }[];
    quorum: boolean;
  };
  vip?: { address: string; holder?: string };
  loadBalancer: { backend: string; answers: boolean }[];
  certificates?: { first: string; expires: string; days: number };
  drift: { missing: string[]; extra: string[]; versions: string[] };
}

interface KubeNode {
  metadata: { name: string; labels?: Record<string, string> };
  spec?: { unschedulable?: boolean };
  status?: { nodeInfo?: { kubeletVersion?: string }; conditions?: { type: string; status: string }[] };
}

async function leaderId(
  ctx: StepContext,
  on: StepContext['node'],
  members: EtcdMember[],
): Promise<string | undefined> {
  for (const m of members) {
    const url = m.clientURLs[0];
    if (!url) continue;
    const r = await ctx.probeOn(on, etcdApi('/v3/maintenance/status', {}, url), { timeoutMs: 15_000 });
    const leader = /"leader":"?(\d+)"?/.exec(r.stdout)?.[1];
    if (leader) return leader;
  }
  return undefined;
}

export async function clusterStatus(ctx: StepContext): Promise<ClusterStatus> {
  const a = ctx.answers;
  const problems: string[] = [];
  const on = ctx.node;
  const reachable = (n: string) => !!ctx.svc.facts[n];
  const nodesJson = await ctx.probeOn(on, `${kubectlOn(on)} get nodes -o json`, { timeoutMs: 30_000 });
  let kube: KubeNode[] = [];
  if (nodesJson.code === 0) kube = (JSON.parse(nodesJson.stdout) as { items: KubeNode[] }).items;
  else problems.push(`the API on ${on.name} does not answer`);
  const byName = new Map(kube.map((n) => [n.metadata.name, n]));
  const want = resolvedVersion(a, ctx.catalog).patch;
  const nodes: NodeStatus[] = a.hosts.map((h) => {
    const k = byName.get(h.name);
    const ready = k?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    return {
      name: h.name,
      role: h.role,
      reachable: reachable(h.name),
      inCluster: !!k,
      ...(k
        ? {
            kubeletVersion: k.status?.nodeInfo?.kubeletVersion ?? '',
            ready,
            cordoned: !!k.spec?.unschedulable,
          }
        : {}),
    };
  });
  for (const n of nodes) {
    if (!n.reachable) problems.push(`${n.name} is unreachable`);
    if (nodesJson.code === 0 && !n.inCluster)
      problems.push(`${n.name} is in the answers but not in the cluster`);
    if (n.inCluster && !n.ready) problems.push(`${n.name} is not Ready`);
    if (n.cordoned) problems.push(`${n.name} is cordoned`);
  }
  const extra = kube.map((n) => n.metadata.name).filter((n) => !a.hosts.some((h) => h.name === n));
  for (const n of extra) problems.push(`${n} is in the cluster but not in the answers`);
  const versions = nodes
    .filter((n) => n.kubeletVersion && n.kubeletVersion.replace(/^v/, '') !== want)
    .map((n) => `${n.name} runs ${n.kubeletVersion}, the answers say v${want}`);
  problems.push(...versions);

  const members = (await etcdMembers(ctx, on)) ?? [];
  if (!members.length) problems.push(`etcd's member list cannot be read on ${on.name}`);
  const health = await memberHealth(ctx, on, members);
  const leader = await leaderId(ctx, on, members);
  const healthyCount = members.filter((m) => health.get(m.id)).length;
  const hasQuorum = members.length > 0 && healthyCount >= quorum(members.length);
  for (const m of members)
    if (!health.get(m.id)) problems.push(`etcd member ${m.name || m.id} is not healthy`);
  if (members.length && !hasQuorum)
    problems.push(`etcd has no quorum: ${healthyCount} of ${members.length} members healthy`);
  const memberNames = new Set(members.map((m) => m.name));
  for (const cp of controlPlanes(a))
    if (members.length && !memberNames.has(cp.name)) problems.push(`${cp.name} is not an etcd member`);

  const vipAddr = a.loadBalancer?.vip.split('/')[0];
  const holder = controlPlanes(a).find((h) => ctx.svc.facts[h.name]?.vipHere)?.name;
  if (vipAddr && !holder) problems.push(`no control plane holds the VIP ${vipAddr}`);
  const backends = await Promise.all(
    controlPlanes(a).map(async (cp) => ({
      backend: cp.name,
      answers:
        (
          await ctx.probeOn(
            on,
            `curl -sfk --max-time 3 ${quote(`https://${cp.address}:${APISERVER_PORT}/healthz`)} >/dev/null`,
          )
        ).code === 0,
    })),
  );
  for (const b of backends)
    if (!b.answers)
      problems.push(
        `the apiserver on ${b.backend} does not answer (${usesKubeVip(a) ? 'the VIP must not move there' : 'haproxy sends no traffic there'})`,
      );

  const certs = await ctx.probeOn(on, 'kubeadm certs check-expiration', { timeoutMs: 30_000 });
  const first = certs.code === 0 ? firstExpiry(certs.stdout) : undefined;
  const days = first ? Math.floor((first.at.getTime() - Date.now()) / 86_400_000) : undefined;
  if (days !== undefined && days < 30) problems.push(`certificates expire in ${days} days (${first!.name})`);

  return {
    healthy: problems.length === 0,
    problems,
    askedOn: on.name,
    nodes,
    etcd: {
      members: members.map((m) => ({
        name: m.name,
        id: m.id,
        healthy: !!health.get(m.id),
        leader: !!leader && BigInt(m.id) === BigInt(leader),
        learner: m.isLearner,
      })),
      quorum: hasQuorum,
    },
    ...(vipAddr ? { vip: { address: vipAddr, ...(holder ? { holder } : {}) } } : {}),
    loadBalancer: backends,
    ...(first ? { certificates: { first: first.name, expires: first.at.toISOString(), days: days! } } : {}),
    drift: {
      missing: nodes.filter((n) => nodesJson.code === 0 && !n.inCluster).map((n) => n.name),
      extra,
      versions,
    },
  };
}

export const statusStep: Step = {
  id: 'cluster-status',
  title: 'Read the cluster health',
  phase: 'status',
  scope: 'cluster',
  appliesTo: () => true,
  runsOn: (a, svc) => clusterControlPlane(a, svc),
  retry: { tries: 1, delayMs: 0 },
  skippable: false,
  check: async () => false,
  async apply(ctx) {
    ctx.svc.setContext('status', await clusterStatus(ctx));
  },
};
