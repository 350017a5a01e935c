// The eviction subresource (policy/v1 Eviction): a pod goes only if every PodDisruptionBudget that
// selects it still allows a disruption; otherwise 429, with the message real kubectl drain prints
// while it retries ("Cannot evict pod as it would violate the pod's disruption budget.").
import { BUILTIN, type Obj } from './resources.js';
import { ApiError, type Storage } from './storage.js';
import { labelSelector } from './views.js';

const POD = BUILTIN.find((r) => r.kind === 'Pod')!;
const PDB = BUILTIN.find((r) => r.kind === 'PodDisruptionBudget')!;

export function podHealthy(p: Obj): boolean {
  return (
    !p.metadata.deletionTimestamp &&
    p.status?.phase === 'Running' &&
    ((p.status?.conditions ?? []) as { type: string; status: string }[]).some(
      (c) => c.type === 'Ready' && c.status === 'True',
    )
  );
}

function selectorText(sel: { matchLabels?: Record<string, string> } | undefined): string {
  return Object.entries(sel?.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

function resolve(value: number | string | undefined, total: number, roundUp: boolean): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return value;
  const pct = Number(String(value).replace('%', ''));
  return roundUp ? Math.ceil((pct * total) / 100) : Math.floor((pct * total) / 100);
}

/** disruptionsAllowed of one PDB, computed as the disruption controller does. */
export function disruptionsAllowed(
  pdb: Obj,
  pods: Obj[],
): { allowed: number; healthy: number; desired: number } {
  const match = labelSelector(selectorText(pdb.spec?.selector));
  const selected = pods.filter((p) => match(p.metadata.labels ?? {}));
  const healthy = selected.filter(podHealthy).length;
  const expected = selected.length;
  const min = resolve(pdb.spec?.minAvailable, expected, true);
  const maxUnavail = resolve(pdb.spec?.maxUnavailable, expected, true);
  const desired = min ?? Math.max(0, expected - (maxUnavail ?? 0));
  return { allowed: Math.max(0, healthy - desired), healthy, desired };
}

export async function evict(s: Storage, namespace: string, name: string): Promise<unknown> {
  const pod = await s.mustGet(POD, namespace, name);
  const [{ items: pdbs }, { items: pods }] = await Promise.all([
    s.list(PDB, namespace),
    s.list(POD, namespace),
  ]);
  // An unhealthy pod may always go: evicting it cannot make availability worse.
  if (podHealthy(pod)) {
    for (const pdb of pdbs) {
      if (!labelSelector(selectorText(pdb.spec?.selector))(pod.metadata.labels ?? {})) continue;
      const d = disruptionsAllowed(pdb, pods);
      if (d.allowed < 1)
        throw new ApiError(
          429,
          'TooManyRequests',
          "Cannot evict pod as it would violate the pod's disruption budget.",
          {
            causes: [
              {
                reason: 'DisruptionBudget',
                message: `The disruption budget ${pdb.metadata.name} needs ${d.desired} healthy pods and has ${d.healthy} currently`,
              },
            ],
          },
        );
    }
  }
  await s.delete(POD, namespace, name);
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
}
