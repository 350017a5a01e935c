// The wizard: a reducer over (screen, draft) with one mounted screen. Answers are saved after every
// screen; Ctrl-C saves them (and stops an install, keeping its journal), a second Ctrl-C quits now.
import { Text, useApp, useInput } from 'ink';
import { useMemo, useRef, useState, type ComponentType } from 'react';
import { renderCluster } from '../render/index.js';
import type { Catalog } from '../catalog/schema.js';
import type { Secrets } from '../render/types.js';
import { Engine, type RunOutcome } from '../steps/engine/engine.js';
import { install } from '../steps/index.js';
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
import { Start, type StartChoice } from './Start.js';
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
export type ScreenId = 'start' | (typeof FLOW)[number];

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
}

export function App({
  catalog,
  session,
  saved,
  onExit,
  exportHint = 'k8sha-wizard export --out cluster.yaml',
}: AppProps) {
  const { exit } = useApp();
  const initial = useMemo(() => saved.load(), [saved]);
  const [screen, setScreen] = useState<ScreenId>(initial ? 'start' : 'cluster');
  const [draft, setDraft] = useState<Draft>(initial?.draft ?? emptyDraft(catalog));
  const [returnToReview, setReturnToReview] = useState(false);
  const [secrets, setSecrets] = useState<ProvidedSecrets>({});
  const [clusterSecrets, setClusterSecrets] = useState<Secrets | undefined>();
  const [outcome, setOutcome] = useState<{ result: RunOutcome; notices: string[] } | undefined>();
  const [stopping, setStopping] = useState(false);
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
    saved.save(draft, screen === 'install' || screen === 'done' ? 'review' : screen);
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
  const common = { draft, catalog };

  if (stopping && !outcome)
    return <Text color="yellow">Stopping after the commands in flight; the journal keeps the progress…</Text>;

  if (isPlainScreen(screen)) {
    const Screen = PLAIN_SCREENS[screen];
    return <Screen {...common} step={step(screen)} onSubmit={submit(screen)} onBack={back(screen)} />;
  }

  switch (screen) {
    case 'start': {
      const cluster = initial?.draft.cluster.name;
      const unfinished = cluster ? session.unfinished(cluster) : undefined;
      return (
        <Start
          catalog={catalog}
          {...(cluster ? { savedCluster: cluster } : {})}
          {...(initial?.savedAt ? { savedAt: initial.savedAt } : {})}
          {...(unfinished ? { unfinished: unfinished.progress } : {})}
          onChoice={(c: StartChoice) => {
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
          notices={outcome.notices.filter((n) => /Kuboard|failover/.test(n))}
          step={step('done')}
          exportHint={exportHint}
          onExit={() => quit(outcome.result.status === 'completed' ? 0 : 1)}
        />
      );
  }
}
