// How objects are shown: the node lifecycle applied at read time (a node whose kubelet stopped
// posting status turns NotReady/Unknown after the grace period, as the node controller does), label
// and field selectors, and server-side tables for kubectl's default output.
import { now } from '../env.js';
import type { Obj, Resource } from './resources.js';

/** kube-controller-manager's --node-monitor-grace-period (50 s since 1.32). */
export const NODE_GRACE_MS = 50_000;

export function withNodeLifecycle(n: Obj): Obj {
  const conds = (n.status?.conditions ?? []) as {
    type: string;
    status: string;
    lastHeartbeatTime?: string;
    reason?: string;
    message?: string;
  }[];
  const ready = conds.find((c) => c.type === 'Ready');
  if (!ready?.lastHeartbeatTime) return n;
  if (now() - Date.parse(ready.lastHeartbeatTime) <= NODE_GRACE_MS) return n;
  const copy = structuredClone(n);
  const r = copy.status.conditions.find((c: { type: string }) => c.type === 'Ready');
  r.status = 'Unknown';
  r.reason = 'NodeStatusUnknown';
  r.message = 'Kubelet stopped posting node status.';
  return copy;
}

export function nodeReady(n: Obj): boolean {
  return ((n.status?.conditions ?? []) as { type: string; status: string }[]).some(
    (c) => c.type === 'Ready' && c.status === 'True',
  );
}

// ------------------------------------------------------------- selectors

type Req = (labels: Record<string, string>) => boolean;

export function labelSelector(text: string | null): Req {
  if (!text) return () => true;
  const reqs: Req[] = [];
  // Commas inside "in (a,b)" belong to the set, so split only at top-level commas.
  const parts = text.match(/[^,(]+(\([^)]*\))?/g) ?? [];
  for (const raw of parts.map((p) => p.trim()).filter(Boolean)) {
    let m: RegExpExecArray | null;
    if ((m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(raw))) {
      const [, k, op, vals] = m;
      const set = vals!.split(',').map((v) => v.trim());
      reqs.push((l) => (op === 'in' ? k! in l && set.includes(l[k!]!) : !(k! in l) || !set.includes(l[k!]!)));
    } else if ((m = /^(\S+?)\s*(==|!=|=)\s*(\S*)$/.exec(raw))) {
      const [, k, op, v] = m;
      reqs.push((l) => (op === '!=' ? l[k!] !== v : l[k!] === v));
    } else if (raw.startsWith('!')) reqs.push((l) => !(raw.slice(1) in l));
    else reqs.push((l) => raw in l);
  }
  return (l) => reqs.every((r) => r(l));
}

function field(o: Obj, path: string): string | undefined {
  let cur: unknown = o;
  for (const p of path.split('.')) cur = (cur as Record<string, unknown> | undefined)?.[p];
  return cur === undefined ? undefined : String(cur);
}

export function fieldSelector(text: string | null): (o: Obj) => boolean {
  if (!text) return () => true;
  const reqs = text.split(',').map((raw) => {
    const m = /^([\w.]+)\s*(==|!=|=)\s*(.*)$/.exec(raw.trim());
    if (!m) return () => true;
    const [, path, op, v] = m;
    return (o: Obj) => ((field(o, path!) ?? '') === v) !== (op === '!=');
  });
  return (o) => reqs.every((r) => r(o));
}

// ------------------------------------------------------------- tables

export function age(ts: string | undefined): string {
  if (!ts) return '<unknown>';
  const s = Math.max(0, Math.floor((now() - Date.parse(ts)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 600) return `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ''}`;
  if (s < 3 * 3600) return `${Math.floor(s / 60)}m`;
  if (s < 48 * 3600) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

interface Column {
  name: string;
  type: string;
  priority?: number;
  format?: string;
}

function podStatus(p: Obj): { ready: string; status: string; restarts: number } {
  const cs = (p.status?.containerStatuses ?? []) as {
    ready: boolean;
    restartCount?: number;
    state?: Record<string, { reason?: string }>;
  }[];
  const total = (p.spec?.containers ?? []).length || cs.length || 1;
  const ready = cs.filter((c) => c.ready).length;
  const waiting = cs.map((c) => c.state?.waiting?.reason).find(Boolean);
  const status = p.metadata.deletionTimestamp ? 'Terminating' : (waiting ?? p.status?.phase ?? 'Pending');
  return { ready: `${ready}/${total}`, status, restarts: cs.reduce((s, c) => s + (c.restartCount ?? 0), 0) };
}

function nodeRoles(n: Obj): string {
  const roles = Object.keys(n.metadata.labels ?? {})
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length));
  return roles.length ? roles.sort().join(',') : '<none>';
}

function nodeStatusText(n: Obj): string {
  const r = ((n.status?.conditions ?? []) as { type: string; status: string }[]).find(
    (c) => c.type === 'Ready',
  );
  const base = r?.status === 'True' ? 'Ready' : r ? 'NotReady' : 'Unknown';
  return n.spec?.unschedulable ? `${base},SchedulingDisabled` : base;
}

export function table(r: Resource, items: Obj[], revision: number): unknown {
  let columns: Column[];
  let cells: (o: Obj) => unknown[];
  if (r.kind === 'Node') {
    columns = [
      { name: 'Name', type: 'string', format: 'name' },
      { name: 'Status', type: 'string' },
      { name: 'Roles', type: 'string' },
      { name: 'Age', type: 'string' },
      { name: 'Version', type: 'string' },
      { name: 'Internal-IP', type: 'string', priority: 1 },
      { name: 'External-IP', type: 'string', priority: 1 },
      { name: 'OS-Image', type: 'string', priority: 1 },
      { name: 'Kernel-Version', type: 'string', priority: 1 },
      { name: 'Container-Runtime', type: 'string', priority: 1 },
    ];
    cells = (n) => {
      const addr = (t: string) =>
        ((n.status?.addresses ?? []) as { type: string; address: string }[]).find((a) => a.type === t)
          ?.address ?? '<none>';
      const info = n.status?.nodeInfo ?? {};
      return [
        n.metadata.name,
        nodeStatusText(n),
        nodeRoles(n),
        age(n.metadata.creationTimestamp),
        info.kubeletVersion ?? '',
        addr('InternalIP'),
        addr('ExternalIP'),
        info.osImage ?? '',
        info.kernelVersion ?? '',
        info.containerRuntimeVersion ?? '',
      ];
    };
  } else if (r.kind === 'Pod') {
    columns = [
      { name: 'Name', type: 'string', format: 'name' },
      { name: 'Ready', type: 'string' },
      { name: 'Status', type: 'string' },
      { name: 'Restarts', type: 'string' },
      { name: 'Age', type: 'string' },
      { name: 'IP', type: 'string', priority: 1 },
      { name: 'Node', type: 'string', priority: 1 },
      { name: 'Nominated Node', type: 'string', priority: 1 },
      { name: 'Readiness Gates', type: 'string', priority: 1 },
    ];
    cells = (p) => {
      const s = podStatus(p);
      return [
        p.metadata.name,
        s.ready,
        s.status,
        String(s.restarts),
        age(p.metadata.creationTimestamp),
        p.status?.podIP ?? '<none>',
        p.spec?.nodeName ?? '<none>',
        '<none>',
        '<none>',
      ];
    };
  } else {
    columns = [
      { name: 'Name', type: 'string', format: 'name' },
      { name: 'Age', type: 'string' },
    ];
    cells = (o) => [o.metadata.name, age(o.metadata.creationTimestamp)];
  }
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: String(revision) },
    columnDefinitions: columns.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description: c.name,
      priority: c.priority ?? 0,
    })),
    rows: items.map((o) => ({
      cells: cells(o),
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}
