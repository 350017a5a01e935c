// The engine's API for the interactive wizard: preflight, install with events and decisions, the
// secrets the preview shows, unfinished runs. The screens never open a connection themselves.
import { join } from 'node:path';
import type { Answers, Host } from '../answers/schema.js';
import type { Catalog } from '../catalog/schema.js';
import type { Secrets } from '../render/types.js';
import { readJournal, journalProgress, type Journal } from '../state/journal.js';
import { clusterStateDir } from '../state/paths.js';
import { ensureSecrets } from '../state/secrets-store.js';
import { Engine, type RunOutcome } from './engine/engine.js';
import type { Decision, EngineListener, FailureInfo } from './engine/events.js';
import { checkHosts, type HostCheck } from './engine/gather-facts.js';
import type { ProvidedSecrets } from './transport/credentials.js';
import type { Transport } from './transport/types.js';

export interface SessionOptions {
  catalog: Catalog;
  stateRoot: string;
  kubeconfigDir: string;
  concurrency?: number;
  /** Tests script the hosts; the default is SSH with the answers' credentials. */
  transports?: (a: Answers, provided: ProvidedSecrets) => (h: Host) => Transport;
  retryDelayScale?: number;
}

export interface InstallHandle {
  done: Promise<RunOutcome>;
  /** Ctrl-C: stop after the commands in flight; the journal keeps the progress. */
  stop(): void;
}

export interface UnfinishedRun {
  runId: string;
  progress: string;
  journal: Journal;
}

export class InstallSession {
  constructor(private readonly o: SessionOptions) {}

  /** SSH transports load ssh2 on first use, so the wizard's first screen does not wait for it. */
  private async factory(
    a: Answers,
    provided: ProvidedSecrets,
    notice?: (m: string) => void,
  ): Promise<{ factory: (h: Host) => Transport; secrets: string[] }> {
    if (this.o.transports)
      return {
        factory: this.o.transports(a, provided),
        secrets: Object.values(provided).filter((x): x is string => !!x),
      };
    const { transportSetup } = await import('./transport/setup.js');
    return transportSetup('ssh', a, this.o.stateRoot, notice ?? (() => undefined), provided);
  }

  async preflight(a: Answers, provided: ProvidedSecrets): Promise<HostCheck> {
    return checkHosts(a, (await this.factory(a, provided)).factory, this.o.concurrency ?? 10);
  }

  /** The cluster's secrets (created and stored 0600 on first use), so the preview shows what will be written. */
  secrets(a: Answers): Promise<Secrets> {
    return ensureSecrets(clusterStateDir(a.cluster.name, this.o.stateRoot));
  }

  unfinished(cluster: string): UnfinishedRun | undefined {
    const j = readJournal(clusterStateDir(cluster, this.o.stateRoot));
    if (!j || j.status === 'completed') return undefined;
    return { runId: j.runId, progress: journalProgress(j), journal: j };
  }

  install(
    a: Answers,
    provided: ProvidedSecrets,
    listener: EngineListener,
    decide: (f: FailureInfo) => Promise<Decision>,
    opts: { failoverDrill?: boolean; restart?: boolean } = {},
  ): InstallHandle {
    let engine: Engine | undefined;
    let stopped = false;
    const done = (async () => {
      const f = await this.factory(a, provided, (m) => listener({ type: 'notice', message: m }));
      engine = new Engine({
        answers: a,
        catalog: this.o.catalog,
        transport: f.factory,
        stateRoot: this.o.stateRoot,
        kubeconfigDir: this.o.kubeconfigDir,
        concurrency: this.o.concurrency ?? 10,
        decide,
        extraSecrets: f.secrets,
        failoverDrill: !!opts.failoverDrill,
        restart: !!opts.restart,
        ...(this.o.retryDelayScale !== undefined ? { retryDelayScale: this.o.retryDelayScale } : {}),
      }).on(listener);
      if (stopped) engine.stop();
      return engine.run();
    })();
    return {
      done,
      stop: () => {
        stopped = true;
        engine?.stop();
      },
    };
  }

  logFile(a: Answers, runId: string, node: string): string {
    return join(clusterStateDir(a.cluster.name, this.o.stateRoot), 'logs', runId, `${node}.log`);
  }
}
