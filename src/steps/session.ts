// The engine's API for the interactive wizard: preflight, install with events and decisions, the
// secrets the preview shows, unfinished runs. The screens never open a connection themselves.
import { join } from 'node:path';
import type { Answers, Host } from '../answers/schema.js';
import type { Catalog } from '../catalog/schema.js';
import type { Secrets } from '../render/types.js';
import { readJournal, journalProgress, type Journal } from '../state/journal.js';
import { clusterStateDir } from '../state/paths.js';
import { ensurePrivateTree } from '../state/private-dir.js';
import { ensureSecrets } from '../state/secrets-store.js';
import { DEFAULT_CONCURRENCY } from './engine/concurrency.js';
import { Engine, type RunOutcome } from './engine/engine.js';
import type { Decision, EngineListener, FailureInfo } from './engine/events.js';
import { checkHosts, type HostCheck } from './engine/gather-facts.js';
import type { ProvidedSecrets } from './transport/credentials.js';
import type { HostKeyScan } from './transport/ssh.js';
import type { Transport } from './transport/types.js';

export interface SessionOptions {
  catalog: Catalog;
  stateRoot: string;
  kubeconfigDir: string;
  concurrency?: number;
  /** Tests script the hosts; the default is SSH with the answers' credentials. */
  transports?: (a: Answers, provided: ProvidedSecrets) => (h: Host) => Transport;
  /** Tests script the host keys too; the default scans over SSH. */
  hostKeys?: (a: Answers) => Promise<HostKeyCheck>;
  retryDelayScale?: number;
}

export interface HostKeyCheck {
  scans: HostKeyScan[];
  unreachable: Record<string, string>;
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
    // The wizard showed every new host key in Preflight and the operator accepted them: from then on
    // nothing is trusted silently.
    return transportSetup('ssh', a, this.o.stateRoot, notice ?? (() => undefined), provided, {
      strictHostKeys: true,
    });
  }

  /** Every host's key, checked against the known_hosts files, without logging in. */
  async scanHostKeys(a: Answers, provided: ProvidedSecrets): Promise<HostKeyCheck> {
    if (this.o.hostKeys) return this.o.hostKeys(a);
    if (this.o.transports) return { scans: [], unreachable: {} };
    const { scanHostKeys } = await import('./transport/setup.js');
    return scanHostKeys(a, this.o.stateRoot, provided);
  }

  /** Record the new keys the operator accepted. */
  async trustHostKeys(scans: HostKeyScan[]): Promise<void> {
    const { trustHostKeys } = await import('./transport/setup.js');
    trustHostKeys(this.o.stateRoot, scans);
  }

  async preflight(a: Answers, provided: ProvidedSecrets): Promise<HostCheck> {
    return checkHosts(
      a,
      (await this.factory(a, provided)).factory,
      this.o.concurrency ?? DEFAULT_CONCURRENCY,
    );
  }

  /** The cluster's secrets (created and stored 0600 on first use), so the preview shows what will be written. */
  secrets(a: Answers): Promise<Secrets> {
    const dir = clusterStateDir(a.cluster.name, this.o.stateRoot);
    ensurePrivateTree(this.o.stateRoot, dir);
    return ensureSecrets(dir);
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
        concurrency: this.o.concurrency ?? DEFAULT_CONCURRENCY,
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
