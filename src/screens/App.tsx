// The wizard: a reducer over (screen, draft) with one mounted screen. Answers are saved after every
// screen; Ctrl-C saves them (and stops an install, keeping its journal), a second Ctrl-C quits now.
import { doneNotices } from './done-notices.js';
import { Text, useApp, useInput } from 'ink';
import { useMemo, useRef, useState, type ComponentType } from 'react';
import { renderCluster } from '../render/index.js';
import type { Catalog } from '../catalog/schema.js';
import type { Secrets } from '../render/types.js';
import { Engine, type RunOutcome } from '../steps/engine/engine.js';
import type { Operation } from '../steps/engine/operation.js';
import type { ClusterStatus } from '../steps/cluster-status.js';
import {
  backup,
  install,
  operationFor,
  remove,
  resetOperation,
  status,
  upgradeOperation,
} from '../steps/index.js';
import { formatStatus } from '../steps/status-report.js';
import { controlPlanes, resolvedVersion } from '../answers/model.js';
import type { Answers } from '../answers/schema.js';
import { Confirm } from './Confirm.js';
import type { InstallHandle, InstallSession } from '../steps/session.js';
import type { ProvidedSecrets } from '../steps/transport/credentials.js';
import { checkDraft, emptyDraft, type Draft } from '../wizard/draft.js';
import type { SavedAnswers } from '../wizard/saved-answers.js';
import { Addons } from './Addons.js';
import { Cluster } from './Cluster.js';
import { Done } from './Done.js';
import { Hosts } from './Hosts.js';
import { Install } from './Install.js';
import { LoadBalancer } from './LoadBalancer.js';
import { Network } from './Network.js';
import { Preflight } from './Preflight.js';
import { Preview } from './Preview.js';
import { Review, type Section } from './Review.js';
import { SshAccess } from './SshAccess.js';
import { Start, type DayTwo, type InstalledCluster, type StartChoice } from './Start.js';
import type { ScreenProps } from './types.js';
import { Versions } from './Versions.js';

export const FLOW = [
  'cluster',
  'hosts',
  'loadBalancer',
  'network',
  'versions',
  'ssh',
  'addons',
  'review',
  'preview',
  'preflight',
  'install',
  'done',
] as const;
export type ScreenId = 'start' | 'day2-confirm' | 'day2-run' | 'day2-done' | (typeof FLOW)[number];

/** A day-2 operation chosen on the Start screen: what runs, what the operator confirms, what follows. */
interface DayTwoRun {
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

/** The answer screens that need nothing but ScreenProps; the others get their own case below. */
const PLAIN_SCREENS = {
  cluster: Cluster,
  hosts: Hosts,
  loadBalancer: LoadBalancer,
  network: Network,
  versions: Versions,
  addons: Addons,
} satisfies Partial<Record<ScreenId, ComponentType<ScreenProps>>>;

const isPlainScreen = (id: ScreenId): id is keyof typeof PLAIN_SCREENS => id in PLAIN_SCREENS;

export interface AppProps {
  catalog: Catalog;
  session: InstallSession;
  saved: SavedAnswers;
  onExit: (code: number) => void;
  /** Shown on the Done screen: how to export the answers. */
  exportHint?: string;
  /** Answers opened with `--answers FILE`: start on the Review screen with them. */
  loaded?: Draft;
}

export function App({
  catalog,
  session,
  saved,
  onExit,
  exportHint = 'k8sha-wizard export --out cluster.yaml',
  loaded,
}: AppProps) {
  const { exit } = useApp();
  const initial = useMemo(() => saved.load(), [saved]);
  const [screen, setScreen] = useState<ScreenId>(loaded ? 'review' : initial ? 'start' : 'cluster');
  const [draft, setDraft] = useState<Draft>(loaded ?? initial?.draft ?? emptyDraft(catalog));
  const [returnToReview, setReturnToReview] = useState(false);
  const [secrets, setSecrets] = useState<ProvidedSecrets>({});
  const [clusterSecrets, setClusterSecrets] = useState<Secrets | undefined>();
  const [outcome, setOutcome] = useState<{ result: RunOutcome; notices: string[] } | undefined>();
  const [stopping, setStopping] = useState(false);
  const [dayTwo, setDayTwo] = useState<DayTwoRun | undefined>();
  const [dayTwoNotices, setDayTwoNotices] = useState<string[]>([]);
  const handle = useRef<InstallHandle | undefined>(undefined);
  const interrupts = useRef(0);

  const quit = (code: number) => {
    onExit(code);
    exit();
  };

  useInput((input, key) => {
    if (!(key.ctrl && input === 'c')) return;
    interrupts.current++;
    if (interrupts.current > 1) return quit(130);
    saved.save(
      draft,
      screen === 'install' || screen === 'done' || screen.startsWith('day2') ? 'review' : screen,
    );
    if (handle.current && !outcome) {
      setStopping(true);
      handle.current.stop();
      return; // the install screen finishes, then we quit
    }
    quit(130);
  });

  const step = (id: ScreenId) => `${FLOW.indexOf(id as (typeof FLOW)[number]) + 1}/${FLOW.length}`;
  const go = (next: ScreenId, d: Draft = draft) => {
    saved.save(d, next === 'install' || next === 'done' ? 'review' : next);
    setScreen(next);
  };
  const submit = (from: ScreenId) => (d: Draft) => {
    setDraft(d);
    const i = FLOW.indexOf(from as (typeof FLOW)[number]);
    if (returnToReview && i < FLOW.indexOf('review')) {
      setReturnToReview(false);
      return go('review', d);
    }
    go(FLOW[i + 1]!, d);
  };
  const back = (from: ScreenId) => () => {
    if (returnToReview) {
      setReturnToReview(false);
      return go('review');
    }
    const i = FLOW.indexOf(from as (typeof FLOW)[number]);
    if (i > 0) go(FLOW[i - 1]!);
    else if (initial) setScreen('start');
  };
  const edit = (s: Section) => {
    setReturnToReview(true);
    go(s);
  };
  const answers = checkDraft(draft, catalog).answers;
  // Read from the journal once per visit to the Hosts screen, not on every frame of every screen.
  const installedHosts = useMemo(
    () => (screen === 'hosts' ? session.clusterHosts(draft.cluster.name) : undefined),
    [screen, session, draft.cluster.name],
  );
  const common = { draft, catalog, ...(installedHosts ? { clusterHosts: installedHosts } : {}) };

  if (stopping && !outcome)
    return <Text color="yellow">Stopping after the commands in flight; the journal keeps the progress…</Text>;

  if (isPlainScreen(screen)) {
    const Screen = PLAIN_SCREENS[screen];
    return <Screen {...common} step={step(screen)} onSubmit={submit(screen)} onBack={back(screen)} />;
  }

  /** The operation a Start-screen choice runs, with its confirmation and its follow-up. */
  const dayTwoRun = (a: Answers, c: { op: DayTwo } | { op: 'remove'; host: string }): DayTwoRun => {
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
  };

  const startDayTwo = (run: DayTwoRun) => {
    setDayTwo(run);
    setDayTwoNotices([]);
    setScreen(run.confirm ? 'day2-confirm' : 'day2-run');
  };

  switch (screen) {
    case 'day2-confirm':
      if (!dayTwo?.confirm) return null;
      return (
        <Confirm
          title={dayTwo.title}
          lines={dayTwo.confirm.lines}
          {...(dayTwo.confirm.typed ? { typed: dayTwo.confirm.typed } : {})}
          onConfirm={() => setScreen('day2-run')}
          onCancel={() => setScreen('start')}
        />
      );
    case 'day2-run':
      if (!dayTwo) return null;
      return (
        <Install
          step="day 2"
          cluster={dayTwo.answers.cluster.name}
          title={dayTwo.title}
          columns={dayTwo.operation.columns}
          start={(listener, decide) =>
            session.run(dayTwo.operation, dayTwo.answers, secrets, listener, decide, dayTwo.opts)
          }
          onHandle={(h) => (handle.current = h)}
          onDone={(result, model) => {
            const after = result.status === 'completed' ? dayTwo.after?.(result) : undefined;
            if (after?.draft) {
              setDraft(after.draft);
              saved.save(after.draft, 'review');
            }
            setDayTwoNotices([
              ...model.notices.filter((n) => /snapshot|PKI|restored/.test(n)),
              ...(after?.notices ?? []),
            ]);
            setOutcome({ result, notices: model.notices });
            if (stopping || interrupts.current > 0) return quit(130);
            setScreen('day2-done');
          }}
        />
      );
    case 'day2-done':
      if (!outcome || !dayTwo) return null;
      return (
        <Done
          outcome={outcome.result}
          notices={dayTwoNotices}
          step="day 2"
          title={`${dayTwo.title}: done`}
          exportHint={exportHint}
          onExit={() => quit(outcome.result.status === 'completed' ? 0 : 1)}
        />
      );
    case 'start': {
      const cluster = initial?.draft.cluster.name;
      const unfinished = cluster ? session.unfinished(cluster) : undefined;
      const installedCluster: InstalledCluster | undefined =
        cluster && answers && session.installed(cluster)
          ? {
              hosts: answers.hosts.map((h) => ({ name: h.name, role: h.role })),
              ...(nextMinor(answers, catalog) ? { nextMinor: nextMinor(answers, catalog)! } : {}),
            }
          : undefined;
      return (
        <Start
          catalog={catalog}
          {...(installedCluster ? { installed: installedCluster } : {})}
          {...(cluster ? { savedCluster: cluster } : {})}
          {...(initial?.savedAt ? { savedAt: initial.savedAt } : {})}
          {...(unfinished ? { unfinished: unfinished.progress } : {})}
          onChoice={(c: StartChoice) => {
            if (c.kind === 'day2' && answers) return startDayTwo(dayTwoRun(answers, { op: c.op }));
            if (c.kind === 'remove' && answers)
              return startDayTwo(dayTwoRun(answers, { op: 'remove', host: c.host }));
            if (c.kind === 'add') return edit('hosts');
            const op = unfinished?.journal.operation;
            if (c.kind === 'continue' && op && op !== 'install') {
              const found = operationFor(op, unfinished!.journal.context ?? {});
              const a = checkDraft(unfinished!.journal.answers as Draft, catalog).answers;
              if (found && a)
                return startDayTwo({
                  title: `Continue: ${found.operation.title.toLowerCase()} of ${a.cluster.name}`,
                  operation: found.operation,
                  answers: a,
                  opts: { departing: found.departing },
                });
            }
            if (c.kind === 'continue') return go(checkDraft(draft, catalog).answers ? 'preflight' : 'review');
            if (c.kind === 'edit') return go('review');
            if (c.kind === 'loaded') {
              setDraft(c.draft);
              return go('review', c.draft);
            }
            const fresh = emptyDraft(catalog);
            setDraft(fresh);
            go('cluster', fresh);
          }}
        />
      );
    }
    case 'ssh':
      return (
        <SshAccess
          {...common}
          step={step('ssh')}
          secrets={secrets}
          onSecrets={setSecrets}
          onSubmit={submit('ssh')}
          onBack={back('ssh')}
        />
      );
    case 'review':
      return (
        <Review
          {...common}
          step={step('review')}
          onBack={() => go('addons')}
          onEdit={edit}
          onContinue={() => {
            if (!answers) return;
            void session.secrets(answers).then((s) => {
              setClusterSecrets(s);
              go('preview');
            });
          }}
        />
      );
    case 'preview':
      if (!answers || !clusterSecrets) return <Text>Preparing the preview…</Text>;
      return (
        <Preview
          answers={answers}
          rendered={renderCluster({ answers, catalog, secrets: clusterSecrets })}
          plan={Engine.layout(install, answers).map((l) => ({
            step: l.step.id,
            title: l.step.title,
            nodes: l.nodes.map((n) => n.name),
          }))}
          secrets={clusterSecrets}
          step={step('preview')}
          onBack={() => go('review')}
          onContinue={() => go('preflight')}
        />
      );
    case 'preflight':
      if (!answers) return <Text color="red">The answers are not valid; go back to Review.</Text>;
      return (
        <Preflight
          answers={answers}
          step={step('preflight')}
          run={() => session.preflight(answers, secrets)}
          scanKeys={() => session.scanHostKeys(answers, secrets)}
          trustKeys={(scans) => session.trustHostKeys(scans)}
          onBack={() => go('preview')}
          onEdit={(s) => edit(s)}
          onContinue={() => go('install')}
        />
      );
    case 'install':
      if (!answers) return <Text color="red">The answers are not valid.</Text>;
      return (
        <Install
          step={step('install')}
          cluster={answers.cluster.name}
          columns={install.columns}
          start={(listener, decide) => session.install(answers, secrets, listener, decide)}
          onHandle={(h) => (handle.current = h)}
          onDone={(result, model) => {
            setOutcome({ result, notices: model.notices });
            if (stopping || interrupts.current > 0) return quit(130);
            setScreen('done');
          }}
        />
      );
    case 'done':
      if (!outcome) return null;
      return (
        <Done
          outcome={outcome.result}
          notices={doneNotices(outcome.notices)}
          step={step('done')}
          exportHint={exportHint}
          onExit={() => quit(outcome.result.status === 'completed' ? 0 : 1)}
        />
      );
  }
}

/** The next minor the catalog offers after the answers' version, if any. */
function nextMinor(a: Answers, catalog: Catalog): string | undefined {
  const [major, minor] = resolvedVersion(a, catalog).minor.split('.').map(Number);
  const next = `${major}.${minor! + 1}`;
  return catalog.kubernetes[next] ? next : undefined;
}
