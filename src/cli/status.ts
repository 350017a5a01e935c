// `k8sha-wizard status --answers FILE [--output json]`: the cluster's health, read-only. Exit 0 when
// healthy, 1 when degraded.
import type { ClusterStatus } from '../steps/cluster-status.js';
import { status } from '../steps/index.js';
import { answersFrom, out, type CatalogFlag } from './common.js';
import { runEngine, type EngineFlags } from './run-engine.js';

export interface StatusFlags extends EngineFlags, CatalogFlag {
  answers?: string;
}

const mark = (ok: boolean | undefined) => (ok === undefined ? '-' : ok ? 'yes' : 'NO');

export function formatStatus(cluster: string, s: ClusterStatus): string[] {
  const lines = [
    `cluster ${cluster}: ${s.healthy ? 'healthy' : 'DEGRADED'}${s.askedOn ? ` (asked ${s.askedOn})` : ''}`,
  ];
  for (const p of s.problems) lines.push(`  ! ${p}`);
  lines.push('', 'NODE'.padEnd(12) + 'ROLE'.padEnd(15) + 'REACHABLE  READY  CORDONED  KUBELET');
  for (const n of s.nodes)
    lines.push(
      n.name.padEnd(12) +
        n.role.padEnd(15) +
        mark(n.reachable).padEnd(11) +
        mark(n.ready).padEnd(7) +
        (n.cordoned ? 'yes' : n.inCluster ? 'no' : '-').padEnd(10) +
        (n.kubeletVersion ?? (n.inCluster ? '?' : 'not in the cluster')),
    );
  const leader = s.etcd.members.find((m) => m.leader);
  lines.push(
    '',
    `etcd: ${s.etcd.members.length} member(s), quorum ${s.etcd.quorum ? 'holds' : 'LOST'}${leader ? `, leader ${leader.name}` : ''}`,
  );
  for (const m of s.etcd.members)
    lines.push(
      `  ${(m.name || m.id).padEnd(12)} ${m.healthy ? 'healthy' : 'UNHEALTHY'}${m.leader ? ', leader' : ''}${m.learner ? ', learner' : ''}`,
    );
  if (s.vip)
    lines.push(`VIP ${s.vip.address}: ${s.vip.holder ? `on ${s.vip.holder}` : 'held by no control plane'}`);
  if (s.loadBalancer.length)
    lines.push(
      `apiservers behind haproxy: ${s.loadBalancer.map((b) => `${b.backend} ${b.answers ? 'up' : 'DOWN'}`).join(', ')}`,
    );
  if (s.certificates)
    lines.push(
      `certificates: the first expires ${s.certificates.expires.slice(0, 10)} (${s.certificates.first}, in ${s.certificates.days} days)`,
    );
  const drift = [
    ...s.drift.missing.map((n) => `${n} missing`),
    ...s.drift.extra.map((n) => `${n} extra`),
    ...s.drift.versions,
  ];
  lines.push(`drift from the answers: ${drift.length ? drift.join('; ') : 'none'}`);
  return lines;
}

export async function statusCommand(flags: StatusFlags & { output?: 'plain' | 'json' }): Promise<number> {
  const { answers, catalog } = answersFrom(flags, true, { allowEvenControlPlanes: true });
  const { outcome } = await runEngine({
    operation: status,
    answers,
    catalog,
    flags: { ...flags, output: 'plain' },
    persist: false,
    quiet: true,
    command: 'status',
  });
  const report: ClusterStatus = (outcome.context.status as ClusterStatus | undefined) ?? {
    // No control plane could be asked: all that is known is who answered.
    healthy: false,
    problems: [
      ...Object.entries(outcome.unreachable).map(([n, why]) => `${n} is unreachable (${why})`),
      `no control plane could be asked${outcome.failure ? `: ${outcome.failure.message}` : ''}`,
    ],
    nodes: answers.hosts.map((h) => ({
      name: h.name,
      role: h.role,
      reachable: !!outcome.facts[h.name],
      inCluster: false,
    })),
    etcd: { members: [], quorum: false },
    loadBalancer: [],
    drift: { missing: [], extra: [], versions: [] },
  };
  if (flags.output === 'json') out(JSON.stringify({ cluster: answers.cluster.name, ...report }, null, 2));
  else for (const l of formatStatus(answers.cluster.name, report)) out(l);
  return report.healthy ? 0 : 1;
}
