// What kube-controller-manager and kube-scheduler would do, enough for installs and drains to mean
// something: one pod per DaemonSet per node, Deployment replicas scheduled onto Ready, schedulable
// nodes whose taints they tolerate (so a drained pod comes back elsewhere), pods of deleted nodes
// garbage-collected, expired bootstrap tokens removed. Every apiserver runs this loop; only the one
// holding the kube-controller-manager Lease acts, as with real leader election.
import { createHash } from 'node:crypto';
import { now } from '../env.js';
import { BUILTIN, type Obj } from './resources.js';
import { ApiError, type Storage } from './storage.js';
import { tokenSecret, tokenValid } from './auth.js';
import { nodeReady, withNodeLifecycle } from './views.js';

const R = (kind: string) => BUILTIN.find((r) => r.kind === kind)!;
const LEASE = R('Lease');
const LEASE_MS = 15_000;
const RETRY_PERIOD_MS = 2000;
const RENEW_DEADLINE_MS = 10_000;

function hash5(s: string): string {
  return createHash('sha256')
    .update(s)
    .digest('hex')
    .replace(/[0-9]/g, (d) => 'bcdfghjklm'[Number(d)]!)
    .slice(0, 5);
}

interface Taint {
  key: string;
  effect: string;
  value?: string;
}
interface Toleration {
  key?: string;
  operator?: string;
  effect?: string;
  value?: string;
}

function tolerates(tols: Toleration[], taints: Taint[]): boolean {
  return taints
    .filter((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute')
    .every((t) =>
      tols.some(
        (x) =>
          (x.operator === 'Exists' && (!x.key || x.key === t.key)) ||
          (x.key === t.key && (x.value ?? '') === (t.value ?? '') && (!x.effect || x.effect === t.effect)),
      ),
    );
}

function owned(p: Obj, owner: Obj): boolean {
  return (p.metadata.ownerReferences ?? []).some((r) => r.uid === owner.metadata.uid);
}

function podFor(owner: Obj, name: string, nodeName: string | undefined): Obj {
  const tmpl = owner.spec?.template ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: owner.metadata.namespace,
      labels: { ...(tmpl.metadata?.labels ?? {}) },
      ownerReferences: [
        {
          apiVersion: owner.apiVersion,
          kind: owner.kind,
          name: owner.metadata.name,
          uid: owner.metadata.uid!,
          controller: true,
        },
      ],
    },
    spec: { ...(tmpl.spec ?? {}), ...(nodeName ? { nodeName } : {}) },
    status: { phase: 'Pending' },
  };
}

async function acquireLease(s: Storage, me: string): Promise<boolean> {
  const name = 'kube-controller-manager';
  const cur = await s.get(LEASE, 'kube-system', name);
  const t = new Date(now()).toISOString();
  if (!cur) {
    await s.create(LEASE, 'kube-system', {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name, namespace: 'kube-system' },
      spec: { holderIdentity: me, leaseDurationSeconds: LEASE_MS / 1000, renewTime: t, acquireTime: t },
    });
    return true;
  }
  const expired = now() - Date.parse(cur.spec.renewTime) > LEASE_MS;
  if (cur.spec.holderIdentity !== me && !expired) return false;
  await s.update(
    LEASE,
    'kube-system',
    { ...cur, spec: { ...cur.spec, holderIdentity: me, renewTime: t } },
    cur.metadata.resourceVersion,
  );
  return true;
}

async function reconcile(s: Storage): Promise<void> {
  const [nodes, pods, dss, deploys] = await Promise.all([
    s.list(R('Node')),
    s.list(R('Pod')),
    s.list(R('DaemonSet')),
    s.list(R('Deployment')),
  ]);
  const nodeList = nodes.items.map(withNodeLifecycle);
  const nodeNames = new Set(nodeList.map((n) => n.metadata.name));
  const podsByNs = pods.items;
  // Pod GC: pods bound to nodes that no longer exist.
  for (const p of podsByNs)
    if (
      p.spec?.nodeName &&
      !nodeNames.has(p.spec.nodeName) &&
      !p.metadata.annotations?.['kubernetes.io/config.mirror']
    )
      await s.delete(R('Pod'), p.metadata.namespace, p.metadata.name).catch(() => undefined);
  for (const ds of dss.items) {
    const tols = (ds.spec?.template?.spec?.tolerations ?? []) as Toleration[];
    const mine = podsByNs.filter((p) => owned(p, ds));
    for (const n of nodeList) {
      if (!tolerates(tols, n.spec?.taints ?? [])) continue;
      if (mine.some((p) => p.spec?.nodeName === n.metadata.name)) continue;
      await s
        .create(
          R('Pod'),
          ds.metadata.namespace,
          podFor(ds, `${ds.metadata.name}-${hash5(`${ds.metadata.uid}${n.metadata.name}`)}`, n.metadata.name),
        )
        .catch((e: unknown) =>
          e instanceof ApiError && e.reason === 'AlreadyExists' ? undefined : Promise.reject(e),
        );
    }
  }
  for (const d of deploys.items) {
    const want = Number(d.spec?.replicas ?? 1);
    const tols = (d.spec?.template?.spec?.tolerations ?? []) as Toleration[];
    const selector = (d.spec?.template?.spec?.nodeSelector ?? {}) as Record<string, string>;
    const mine = podsByNs.filter((p) => owned(p, d) && !p.metadata.deletionTimestamp);
    const eligible = nodeList.filter(
      (n) =>
        nodeReady(n) &&
        !n.spec?.unschedulable &&
        tolerates(tols, n.spec?.taints ?? []) &&
        Object.entries(selector).every(([k, v]) => n.metadata.labels?.[k] === v),
    );
    const load = (node: string) => mine.filter((p) => p.spec?.nodeName === node).length;
    const pick = () =>
      [...eligible].sort(
        (a, b) =>
          load(a.metadata.name) - load(b.metadata.name) || a.metadata.name.localeCompare(b.metadata.name),
      )[0];
    // The scheduler: bind pending pods once a node can take them.
    for (const p of mine.filter((x) => !x.spec?.nodeName)) {
      const n = pick();
      if (!n) break;
      await s.modify(R('Pod'), p.metadata.namespace, p.metadata.name, (cur) => ({
        ...cur,
        spec: { ...cur.spec, nodeName: n.metadata.name },
      }));
      p.spec.nodeName = n.metadata.name;
    }
    const tmplHash = hash5(JSON.stringify(d.spec?.template ?? {}));
    for (let i = mine.length; i < want; i++) {
      const n = pick();
      const pod = podFor(
        d,
        `${d.metadata.name}-${tmplHash}${hash5(`${Date.now()}${i}${Math.random()}`).slice(0, 3)}-${hash5(`${Math.random()}`)}`,
        n?.metadata.name,
      );
      mine.push(await s.create(R('Pod'), d.metadata.namespace, pod));
    }
    for (const extra of mine.slice(want))
      await s.delete(R('Pod'), extra.metadata.namespace, extra.metadata.name).catch(() => undefined);
  }
  // The token cleaner: expired bootstrap tokens go.
  const secrets = await s.list(R('Secret'), 'kube-system');
  for (const sec of secrets.items) {
    const t = tokenSecret(sec);
    if (t && !tokenValid(t))
      await s.delete(R('Secret'), 'kube-system', sec.metadata.name).catch(() => undefined);
  }
}

export function startControllers(s: Storage, me: string): void {
  // Leader election as kube-controller-manager's: the holder renews, and the others try, every
  // RetryPeriod (2 s); the lease lasts 15 s, and a holder that cannot renew for RenewDeadline (10 s)
  // stops leading.
  let triedAt = 0;
  let renewedAt = 0; // the last renewal by this apiserver; 0 when another one leads
  const tick = async () => {
    try {
      if (Date.now() - triedAt >= RETRY_PERIOD_MS) {
        triedAt = Date.now();
        renewedAt = (await acquireLease(s, me)) ? Date.now() : 0;
      }
      if (renewedAt && Date.now() - renewedAt < RENEW_DEADLINE_MS) await reconcile(s);
    } catch {
      // no quorum, a conflict with another writer: try again on the next tick
    }
    // The real controllers react to watch events at once; a one-second tick is the nearest cheap
    // stand-in (two seconds added about 8 s to every install's waits).
    setTimeout(() => void tick(), 1000).unref();
  };
  setTimeout(() => void tick(), 500).unref();
}
