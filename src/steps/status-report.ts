// The status report as text: the CLI prints it, the wizard shows it after a status run.
import { APISERVER_PORT } from '../answers/defaults.js';
import type { ClusterStatus } from './cluster-status.js';

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
      `apiservers on :${APISERVER_PORT}: ${s.loadBalancer.map((b) => `${b.backend} ${b.answers ? 'up' : 'DOWN'}`).join(', ')}`,
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
