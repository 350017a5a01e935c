// `k8sha-wizard status --answers FILE [--output json]`: the cluster's health, read-only. Exit 0 when
// healthy, 1 when degraded.
import type { ClusterStatus } from '../steps/cluster-status.js';
import { formatStatus } from '../steps/status-report.js';

export { formatStatus };
import { status } from '../steps/index.js';
import { answersFrom, out, type CatalogFlag } from './common.js';
import { runEngine, type EngineFlags } from './run-engine.js';

export interface StatusFlags extends EngineFlags, CatalogFlag {
  answers?: string;
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
