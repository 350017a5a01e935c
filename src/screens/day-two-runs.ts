// The day-2 operations the Start screen offers: what each runs, what the operator confirms first, and
// what changes after it. Loaded with the rest of the wizard after its first frame (wizard-parts.ts).
import type { Answers } from '../answers/schema.js';
import { controlPlanes, resolvedVersion } from '../answers/model.js';
import type { Catalog } from '../catalog/schema.js';
import type { RunOutcome } from '../steps/engine/engine.js';
import type { Operation } from '../steps/engine/operation.js';
import type { ClusterStatus } from '../steps/cluster-status.js';
import { backup, remove, resetOperation, status, upgradeOperation } from '../steps/index.js';
import type { InstallSession } from '../steps/session.js';
import { formatStatus } from '../steps/status-report.js';
import type { Draft } from '../wizard/draft.js';
import type { DayTwo } from './Start.js';

/** A day-2 operation chosen on the Start screen: what runs, what the operator confirms, what follows. */
export interface DayTwoRun {
  title: string;
  operation: Operation;
  answers: Answers;
  opts: {
    departing?: Answers['hosts'];
    context?: Record<string, unknown>;
    persist?: boolean;
    writesLocal?: boolean;
  };
  confirm?: { lines: string[]; typed?: string };
  /** After a completed run: the notices to show, and what changes in the saved answers. */
  after?: (outcome: RunOutcome) => { notices?: string[]; draft?: Draft };
}

/** What the operator chose: an operation on the whole cluster, or removing one host. */
export type DayTwoChoice = { op: DayTwo } | { op: 'remove'; host: string };

/** What a run is built from: the session (where backups go), the catalog and the wizard's draft. */
export interface DayTwoContext {
  session: InstallSession;
  catalog: Catalog;
  draft: Draft;
}

export function dayTwoRun(
  a: Answers,
  c: DayTwoChoice,
  { session, catalog, draft }: DayTwoContext,
): DayTwoRun {
  const name = a.cluster.name;
  switch (c.op) {
    case 'status':
      return {
        title: `Status of ${name}`,
        operation: status,
        answers: a,
        opts: { persist: false },
        after: (o) => ({
          notices: o.context.status ? formatStatus(name, o.context.status as ClusterStatus) : [],
        }),
      };
    case 'backup':
      return {
        title: `Back up ${name}`,
        operation: backup,
        answers: a,
        opts: { persist: false, writesLocal: true, context: { backupDir: session.backupDir(name) } },
      };
    case 'upgrade': {
      const next = nextMinor(a, catalog)!;
      return {
        title: `Upgrade ${name} to ${next}`,
        operation: upgradeOperation(1),
        answers: { ...a, cluster: { ...a.cluster, kubernetesVersion: next } },
        opts: { context: { backupDir: session.backupDir(name), maxUnavailable: 1 } },
        confirm: {
          lines: [
            `Upgrade ${name} to Kubernetes ${next}: an etcd snapshot first, then the control planes one at a time and the workers one at a time, each drained (PodDisruptionBudgets hold) while its kubelet is upgraded.`,
            'Workloads move between nodes meanwhile; a node that fails stays cordoned.',
          ],
        },
        after: () => ({ draft: { ...draft, cluster: { ...draft.cluster, kubernetesVersion: next } } }),
      };
    }
    case 'remove': {
      const host = a.hosts.find((h) => h.name === c.host)!;
      const rest = { ...a, hosts: a.hosts.filter((h) => h.name !== c.host) };
      const cp = host.role === 'control-plane';
      return {
        title: `Remove ${c.host} from ${name}`,
        operation: remove,
        answers: rest,
        opts: { departing: [host] },
        confirm: {
          lines: [
            `${c.host} (${host.role}): its pods are evicted (PodDisruptionBudgets hold) and its Node is deleted.`,
            ...(cp
              ? [
                  `Its etcd member is removed (${controlPlanes(rest).length} left) and the other control planes' load balancers forget it, one at a time.`,
                ]
              : []),
            `The host is reset: kubeadm state, /etc/kubernetes${cp ? ', its etcd data' : ''}, CNI configuration and rules are deleted (packages stay). The saved answers no longer list it.`,
          ],
        },
        after: () => ({ draft: { ...draft, hosts: draft.hosts.filter((h) => h.name !== c.host) } }),
      };
    }
    case 'reset':
      return {
        title: `Reset ${name}`,
        operation: resetOperation(),
        answers: a,
        opts: {},
        confirm: {
          lines: [
            `The cluster ${name} and everything running in it is destroyed, with its etcd data (back it up first).`,
            `On ${a.hosts.map((h) => h.name).join(', ')}: kubeadm state, /etc/kubernetes, etcd data, CNI configuration and interfaces, IPVS and kube-proxy rules, the VIP, haproxy and keepalived are removed (packages stay).`,
          ],
          typed: name,
        },
      };
  }
}

/** The next minor the catalog offers after the answers' version, if any. */
export function nextMinor(a: Answers, catalog: Catalog): string | undefined {
  const [major, minor] = resolvedVersion(a, catalog).minor.split('.').map(Number);
  const next = `${major}.${minor! + 1}`;
  return catalog.kubernetes[next] ? next : undefined;
}
