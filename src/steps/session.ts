// The engine's API for the interactive wizard: preflight, install with events and decisions, the
// secrets the preview shows, unfinished runs. The screens never open a connection themselves.
import type { Answers, Host } from '../answers/schema.js';
import type { Catalog } from '../catalog/schema.js';
import type { Secrets } from '../render/types.js';
import { readJournal, journalProgress, type Journal } from '../state/journal.js';
import { clusterStateDir } from '../state/paths.js';
import { ensurePrivateTree } from '../state/private-dir.js';
import { ensureSecrets } from '../state/secrets-store.js';
import { DEFAULT_CONCURRENCY } from './engine/concurrency.js';
import { createEngine, type CreateEngineOptions, type CreatedEngine } from './engine/create.js';
import type { Engine, RunOutcome } from './engine/engine.js';
import type { Decision, EngineListener, FailureInfo } from './engine/events.js';
import type { NodeFacts } from './engine/facts.js';
import type { Operation } from './engine/operation.js';
import type { PreflightProblem } from './engine/preflight.js';
import { inspect, install } from './index.js';
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

export interface HostCheck {
  facts: Record<string, NodeFacts>;
  unreachable: Record<string, string>;
  problems: PreflightProblem[];
}

export interface UnfinishedRun {
  runId: string;
  progress: string;
  journal: Journal;
}

export class InstallSession {
  constructor(private readonly o: SessionOptions) {}

  /** The engine for one run of an operation, built like every other one (createEngine). */
  private engine(
    operation: Operation,
    a: Answers,
    provided: ProvidedSecrets,
    more: Partial<CreateEngineOptions> = {},
  ): Promise<CreatedEngine> {
    return createEngine({
      operation,
      answers: a,
      catalog: this.o.catalog,
      ...(this.o.transports ? { transport: this.o.transports(a, provided) } : {}),
      provided,
      // The wizard showed every new host key in Preflight and the operator accepted them: from then on
      // nothing is trusted silently.
      strictHostKeys: true,
      stateRoot: this.o.stateRoot,
      kubeconfigDir: this.o.kubeconfigDir,
      concurrency: this.o.concurrency ?? DEFAULT_CONCURRENCY,
      ...(this.o.retryDelayScale !== undefined ? { retryDelayScale: this.o.retryDelayScale } : {}),
      ...more,
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

  /** Connect, gather facts and run preflight, the way every run opens, and change nothing. */
  async preflight(a: Answers, provided: ProvidedSecrets): Promise<HostCheck> {
    const { engine } = await this.engine(inspect, a, provided, { persist: false, history: false });
    const outcome = await engine.run();
    return { facts: outcome.facts, unreachable: outcome.unreachable, problems: outcome.preflight ?? [] };
  }

  /** The cluster's secrets (created and stored 0600 on first use), so the preview shows what will be written. */
  secrets(a: Answers): Promise<Secrets> {
    const dir = clusterStateDir(a.cluster.name, this.o.stateRoot);
    ensurePrivateTree(this.o.stateRoot, dir);
    return ensureSecrets(dir);
  }

  /** Where snapshots and PKI backups go on this machine (0700). */
  backupDir(cluster: string): string {
    return `${clusterStateDir(cluster, this.o.stateRoot)}/backups`;
  }

  /** This machine installed the cluster (kubeadm init completed and no reset since). */
  installed(cluster: string): boolean {
    return !!readJournal(clusterStateDir(cluster, this.o.stateRoot))?.marks.initCompletedAt;
  }

  /**
   * The hosts of the cluster this machine installed, as its last run left them (a completed removal
   * took its node out); undefined when the cluster is not installed.
   */
  clusterHosts(cluster: string): string[] | undefined {
    const j = readJournal(clusterStateDir(cluster, this.o.stateRoot));
    if (!j?.marks.initCompletedAt) return undefined;
    const gone =
      j.operation === 'remove' && j.status === 'completed'
        ? ((j.context?.departing as { name: string }[] | undefined) ?? []).map((h) => h.name)
        : [];
    return j.answers.hosts.map((h) => h.name).filter((n) => !gone.includes(n));
  }

  unfinished(cluster: string): UnfinishedRun | undefined {
    const j = readJournal(clusterStateDir(cluster, this.o.stateRoot));
    if (!j || j.status === 'completed' || j.status === 'refused') return undefined;
    return { runId: j.runId, progress: journalProgress(j), journal: j };
  }

  install(
    a: Answers,
    provided: ProvidedSecrets,
    listener: EngineListener,
    decide: (f: FailureInfo) => Promise<Decision>,
    opts: { failoverDrill?: boolean; restart?: boolean } = {},
  ): InstallHandle {
    return this.run(install, a, provided, listener, decide, opts);
  }

  /** Any operation (install, status, remove, upgrade, backup, reset) with the live grid's events. */
  run(
    operation: Operation,
    a: Answers,
    provided: ProvidedSecrets,
    listener: EngineListener,
    decide: (f: FailureInfo) => Promise<Decision>,
    opts: {
      failoverDrill?: boolean;
      restart?: boolean;
      departing?: Host[];
      context?: Record<string, unknown>;
      persist?: boolean;
      writesLocal?: boolean;
    } = {},
  ): InstallHandle {
    let engine: Engine | undefined;
    let stopped = false;
    const done = (async () => {
      ({ engine } = await this.engine(operation, a, provided, {
        onNotice: (m) => listener({ type: 'notice', message: m }),
        decide,
        choices: { failoverDrill: !!opts.failoverDrill },
        restart: !!opts.restart,
        command: 'wizard',
        ...(opts.departing ? { departing: opts.departing } : {}),
        ...(opts.context ? { context: opts.context } : {}),
        ...(opts.persist === false ? { persist: false } : {}),
        ...(opts.writesLocal ? { writesLocal: true } : {}),
      }));
      engine.on(listener);
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
}
