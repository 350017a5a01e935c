// The wizard: a reducer over (screen, draft) with one mounted screen. Answers are saved after every
// screen; Ctrl-C saves them (and stops an install, keeping its journal), a second Ctrl-C quits now.
// Only the Cluster screen is imported here: on a fresh start it draws while the rest of the wizard
// (wizard-parts.ts: validation, the engine, the other screens) loads behind it.
import { Text, useApp, useInput } from 'ink';
import { useMemo, useRef, useState, type ComponentType } from 'react';
import type { Catalog } from '../catalog/schema.js';
import type { Secrets } from '../render/types.js';
import type { RunOutcome } from '../steps/engine/engine.js';
import type { InstallHandle, InstallSession } from '../steps/session.js';
import type { ProvidedSecrets } from '../steps/transport/credentials.js';
import { emptyDraft, type Draft } from '../wizard/draft.js';
import type { SavedAnswers } from '../wizard/saved-answers.js';
import { Cluster } from './Cluster.js';
import type { DayTwoRun } from './day-two-runs.js';
import type { Section } from './Review.js';
import type { InstalledCluster, StartChoice } from './Start.js';
import type { ScreenProps } from './types.js';
import { useWizardParts, type WizardParts } from './use-wizard-parts.js';

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

/** The answer screens that need nothing but ScreenProps; the others get their own case below. */
const PLAIN_SCREENS = ['cluster', 'hosts', 'loadBalancer', 'network', 'versions', 'addons'] as const;
type PlainScreen = (typeof PLAIN_SCREENS)[number];
const isPlainScreen = (id: ScreenId): id is PlainScreen => (PLAIN_SCREENS as readonly string[]).includes(id);

/** An answers screen's component; only Cluster's is here before the parts load. */
function plainScreen(id: PlainScreen, p: WizardParts | undefined): ComponentType<ScreenProps> | undefined {
  if (id === 'cluster') return Cluster;
  if (!p) return undefined;
  const { Hosts, LoadBalancer, Network, Versions, Addons } = p;
  return { hosts: Hosts, loadBalancer: LoadBalancer, network: Network, versions: Versions, addons: Addons }[
    id
  ];
}

/** The install session and the saved-answers store, built from the parts once they have loaded. */
export interface WizardServices {
  session: InstallSession;
  saved: SavedAnswers;
}

export interface AppProps {
  catalog: Catalog;
  /**
   * Builds the services. Before the parts load there are none, so the App may be mounted before them
   * only on a fresh start: no saved answers and no `loaded` (run-wizard.tsx checks both).
   */
  services: (parts: WizardParts) => WizardServices;
  onExit: (code: number) => void;
  /** Shown on the Done screen: how to export the answers. */
  exportHint?: string;
  /** Answers opened with `--answers FILE`: start on the Review screen with them. */
  loaded?: Draft;
}

export function App({
  catalog,
  services,
  onExit,
  exportHint = 'k8sha-wizard export --out cluster.yaml',
  loaded,
}: AppProps) {
  const { exit } = useApp();
  const parts = useWizardParts();
  const built = useMemo(() => parts && services(parts), [parts, services]);
  const [initial] = useState(() => built?.saved.load());
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
    // Keys wait until the parts have loaded (run-wizard.tsx), so `built` is there whenever one arrives.
    built?.saved.save(
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
    built?.saved.save(d, next === 'install' || next === 'done' ? 'review' : next);
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
  const answers = parts?.checkDraft(draft, catalog).answers;
  // Read from the journal once per visit to the Hosts screen, not on every frame of every screen.
  const installedHosts = useMemo(
    () => (screen === 'hosts' ? built?.session.clusterHosts(draft.cluster.name) : undefined),
    [screen, built, draft.cluster.name],
  );
  const common = { draft, catalog, ...(installedHosts ? { clusterHosts: installedHosts } : {}) };

  if (stopping && !outcome)
    return <Text color="yellow">Stopping after the commands in flight; the journal keeps the progress…</Text>;

  if (isPlainScreen(screen)) {
    const Screen = plainScreen(screen, parts);
    if (Screen)
      return <Screen {...common} step={step(screen)} onSubmit={submit(screen)} onBack={back(screen)} />;
  }
  if (!parts || !built) return <Text dimColor>Loading…</Text>;
  const { session, saved } = built;
  const { checkDraft, Confirm, Done, Engine, Install, Preflight, Preview, Review, SshAccess, Start } = parts;
  const { dayTwoRun, doneNotices, install, nextMinor, operationFor, renderCluster } = parts;

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
            if (c.kind === 'day2' && answers)
              return startDayTwo(dayTwoRun(answers, { op: c.op }, { session, catalog, draft }));
            if (c.kind === 'remove' && answers)
              return startDayTwo(
                dayTwoRun(answers, { op: 'remove', host: c.host }, { session, catalog, draft }),
              );
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
