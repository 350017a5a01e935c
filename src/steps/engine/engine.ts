// The engine: runs an operation's stages over transports — its own opening first (facts from every
// node, preflight, host locks), then the operation's per-node pipelines and cluster steps. Every
// transition is journaled; every event is typed; failures are retried per step policy (with the
// step's reset before each retry), then decided by the interactive wizard (retry, skip, abort) or end
// an unattended run. A plan is the same run over recording transports, with nothing persisted.
import { rmSync } from 'node:fs';
import pLimit from 'p-limit';
import type { Answers, Host } from '../../answers/schema.js';
import type { Catalog } from '../../catalog/schema.js';
import { Redactor } from '../../state/redact.js';
import type { LockOwner } from '../../state/run-lock.js';
import { safeLine, safeText } from '../../text/terminal.js';
import { AuthError, UnreachableError, type Transport } from '../transport/types.js';
import { DEFAULT_CONCURRENCY } from './concurrency.js';
import { StepContext, type EngineServices } from './context.js';
import type { Decision, EngineEvent, EngineListener, FailureInfo, Recap, StepStatus } from './events.js';
import type { NodeFacts } from './facts.js';
import { CommandFailed, Refusal, StepError } from './failure.js';
import { deterministicCause, hintFor } from './hints.js';
import { releaseLock } from './lock.js';
import { gatherFacts, lockHosts, preflightStep } from './opening.js';
import { layoutOf, type Operation, type Stage } from './operation.js';
import type { PreflightProblem } from './preflight.js';
import { RunLog } from './run-log.js';
import { RunState } from './run-state.js';
import { runsOnHost, stepEnabled, type RunChoices, type Step } from './step.js';

export interface EngineOptions {
  operation: Operation;
  /** The cluster as it should be when the operation is done. */
  answers: Answers;
  /** Hosts the operation takes out of the cluster (remove): not in `answers`. */
  departing?: Host[];
  /** What the operation must remember across a resume (the node a reset is for …), set once. */
  context?: Record<string, unknown>;
  catalog: Catalog;
  transport: (h: Host) => Transport;
  stateRoot: string;
  kubeconfigDir: string;
  concurrency?: number;
  /** False for a plan or a read-only inspection: no journal, no secrets written, no locks. */
  persist?: boolean;
  /** With persist false: whether an earlier run's journal (its marks) still counts. */
  history?: boolean;
  /** Files for the operator machine (a backup's snapshot) are written even without a journal. */
  writesLocal?: boolean;
  choices?: Partial<RunChoices>;
  restart?: boolean;
  /** Take over locks (local and on the hosts) whose owner is gone, or, once confirmed, one that runs. */
  breakLock?: boolean;
  /** Ask the operator a yes/no question (a terminal); without it the answer is no. */
  confirm?: (question: string) => Promise<boolean>;
  /** The command the local lock names (apply, resume, the wizard …). */
  command?: string;
  /** Interactive runs decide what happens after a step fails for good; unattended runs stop. */
  decide?: (f: FailureInfo) => Promise<Decision>;
  signal?: AbortSignal;
  /** Values to keep out of logs besides the cluster secrets (SSH and sudo passwords). */
  extraSecrets?: string[];
  /** Append this public key to the login user's authorized_keys (after a password login). */
  installPublicKey?: string;
  /** Multiplies every retry delay (tests use a small factor; 1 in real runs). */
  retryDelayScale?: number;
  /** Multiplies the waits steps do on the hosts for the cluster to recover (tests; 1 in real runs). */
  waitScale?: number;
}

export interface RunOutcome {
  status: 'completed' | 'failed' | 'aborted';
  runId: string;
  recap: Record<string, Recap>;
  logDir: string;
  kubeconfigPath?: string;
  failure?: FailureInfo;
  preflight?: PreflightProblem[];
  facts: Record<string, NodeFacts>;
  unreachable: Record<string, string>;
  /** What the operation's steps recorded for the caller (status keeps its report here). */
  context: Record<string, unknown>;
}

/** Text in events can come from hosts: no terminal escape sequences reach a renderer. */
function safeFailure(f: FailureInfo): FailureInfo {
  return {
    ...f,
    message: safeText(f.message),
    stderrTail: f.stderrTail.map(safeLine),
    ...(f.cause ? { cause: safeText(f.cause) } : {}),
    ...(f.hint ? { hint: safeText(f.hint) } : {}),
  };
}

function safeEvent(e: EngineEvent): EngineEvent {
  switch (e.type) {
    case 'notice':
    case 'node-unreachable':
    case 'step-retrying':
      return { ...e, message: safeText(e.message) };
    case 'output-line':
      return { ...e, line: safeLine(e.line) };
    case 'decision-needed':
      return { ...e, failure: safeFailure(e.failure) };
    case 'step-finished':
    case 'run-finished':
      return e.failure ? { ...e, failure: safeFailure(e.failure) } : e;
    default:
      return e;
  }
}

class AbortRun extends Error {}
class RunFailed extends Error {
  constructor(readonly failure: FailureInfo) {
    super(failure.message);
  }
}

/** Every operation opens the same way. Locks only when the run changes hosts for real. */
function opening(op: Operation, persist: boolean): Stage[] {
  return [
    { kind: 'each', steps: [gatherFacts] },
    { kind: 'step', step: preflightStep },
    ...(persist && op.changes ? ([{ kind: 'each', steps: [lockHosts] }] as Stage[]) : []),
  ];
}

export class Engine {
  private listeners: EngineListener[] = [];
  private recap: Record<string, Recap> = {};
  private facts: Record<string, NodeFacts> = {};
  private unreachable = new Map<string, string>();
  private preflightProblems: PreflightProblem[] = [];
  private transports = new Map<string, Transport>();
  private state!: RunState;
  private svc!: EngineServices;
  private readonly redactor = new Redactor();
  private stopRequested = false;
  private firstFailure: FailureInfo | undefined;
  private readonly persist: boolean;
  private readonly choices: RunChoices;
  private readonly stages: Stage[];
  private readonly hosts: Host[];

  constructor(private readonly o: EngineOptions) {
    this.hosts = [...o.answers.hosts, ...(o.departing ?? [])];
    this.persist = o.persist ?? true;
    this.choices = { failoverDrill: false, ...o.choices };
    this.stages = [...opening(o.operation, this.persist), ...o.operation.stages];
    this.redactor.add(...(o.extraSecrets ?? []));
    for (const h of this.hosts)
      this.recap[h.name] = { ok: 0, changed: 0, unreachable: 0, failed: 0, skipped: 0 };
    o.signal?.addEventListener('abort', () => this.stop());
  }

  /** Ctrl-C: start nothing new and cut the connections, so in-flight commands end now. */
  stop(): void {
    this.stopRequested = true;
    for (const t of this.transports.values()) void t.close();
  }

  on(listener: EngineListener): this {
    this.listeners.push(listener);
    return this;
  }

  private emit(e: EngineEvent): void {
    const safe = safeEvent(e);
    for (const l of this.listeners) l(safe);
  }

  private transport(name: string): Transport {
    let t = this.transports.get(name);
    if (!t) {
      const h = this.hosts.find((x) => x.name === name);
      if (!h) throw new Error(`unknown host ${name}`);
      t = this.o.transport(h);
      this.transports.set(name, t);
    }
    return t;
  }

  /** Which nodes each step of an operation runs on (for the grid, the plan and the preview). */
  static layout(
    op: Operation,
    a: Answers,
    choices: Partial<RunChoices> = {},
    departing: Host[] = [],
  ): { step: Step; nodes: Host[] }[] {
    const full: RunChoices = { failoverDrill: false, ...choices };
    const svc = {
      facts: {},
      departing,
      hosts: [...a.hosts, ...departing],
      unreachable: new Map(),
    } as unknown as EngineServices;
    const first = (step: Step) => (step.runsOn ? step.runsOn(a, svc) : a.hosts[0]);
    return layoutOf([...opening(op, true), ...op.stages], a, full, first, svc.hosts);
  }

  private reachable(h: Host): boolean {
    return !this.unreachable.has(h.name);
  }

  async run(): Promise<RunOutcome> {
    const started = Date.now();
    const a = this.o.answers;
    const op = this.o.operation;
    this.state = await RunState.open({
      answers: a,
      stateRoot: this.o.stateRoot,
      restart: !!this.o.restart,
      persist: this.persist,
      history: this.o.history ?? true,
      operation: op.id,
      redactor: this.redactor,
      command: this.o.command ?? 'apply',
      breakLock: !!this.o.breakLock,
      ...(this.o.confirm
        ? {
            confirmBreakLock: (w: LockOwner) =>
              this.o.confirm!(
                `cluster ${a.cluster.name} is locked by pid ${w.pid} (${w.command}, started ${w.startedAt}), which is still running. Break its lock?`,
              ),
          }
        : {}),
      onNotice: (message) => this.emit({ type: 'notice', message }),
    });
    const log = new RunLog(this.state.journal.logDir, this.redactor, this.persist);
    const locked = new Set<string>();
    this.svc = {
      operation: op,
      hosts: this.hosts,
      departing: this.o.departing ?? [],
      answers: a,
      catalog: this.o.catalog,
      facts: this.facts,
      unreachable: this.unreachable,
      preflightProblems: this.preflightProblems,
      secrets: () => this.state.secrets,
      updateSecrets: (p) => this.state.updateSecrets(p),
      marks: () => this.state.marks,
      setMark: (n, at) => this.state.setMark(n, at),
      clearMarks: () => this.state.clearMarks(),
      context: () => this.state.context,
      setContext: (k, v) => this.state.setContext(k, v),
      transport: (n) => this.transport(n),
      log,
      redactor: this.redactor,
      emit: (e) => this.emit(e),
      runId: this.state.journal.runId,
      resumed: this.state.resumed,
      choices: this.choices,
      kubeconfigDir: this.o.kubeconfigDir,
      writeLocal: (path, data, mode) => {
        if (this.o.writesLocal ?? this.persist) this.state.writeLocal(path, data, mode);
      },
      removeLocal: (path) => {
        if (this.persist) rmSync(path, { force: true });
      },
      ...(this.o.installPublicKey ? { installPublicKey: this.o.installPublicKey.trim() } : {}),
      lockOptions: { breakLock: !!this.o.breakLock, ...(this.o.confirm ? { confirm: this.o.confirm } : {}) },
      locked,
      waitSeconds: (s) => Math.max(1, Math.round(s * (this.o.waitScale ?? 1))),
    };
    if (this.o.departing?.length && !this.state.context.departing)
      this.state.setContext('departing', this.o.departing);
    for (const [k, v] of Object.entries(this.o.context ?? {}))
      if (!(k in this.state.context)) this.state.setContext(k, v);
    const layout = layoutOf(this.stages, a, this.choices, (step) => this.runsOn(step), this.hosts);
    this.emit({
      type: 'run-started',
      runId: this.state.journal.runId,
      cluster: a.cluster.name,
      operation: op.id,
      resumed: this.state.resumed,
      nodes: this.hosts.map((h) => ({ name: h.name, role: h.role })),
      columns: op.columns,
      steps: layout.map((l) => ({
        id: l.step.id,
        title: l.step.title,
        phase: l.step.phase,
        nodes: l.nodes.map((n) => n.name),
      })),
      logDir: this.state.journal.logDir,
    });
    if (this.state.resumed)
      this.emit({
        type: 'notice',
        message: `resuming run ${this.state.journal.runId} (resume #${this.state.journal.resumes}); steps are re-checked on the hosts`,
      });
    let status: RunOutcome['status'] = 'completed';
    let failure: FailureInfo | undefined;
    try {
      for (const [i, stage] of this.stages.entries()) {
        if (this.stopRequested) throw new AbortRun();
        // The facts stage gathers every node before preflight reports: one host's failure is not fatal yet.
        if (stage.kind === 'each') await this.each(stage.steps, stage.concurrency, i === 0);
        else await this.clusterStep(stage.step);
      }
    } catch (e) {
      // A node's failure also stops the nodes beside it (stopRequested): that run failed, it was
      // not interrupted. Only an operator's stop or abort ends a run as aborted (exit 130).
      if (e instanceof RunFailed) {
        status = 'failed';
        failure = e.failure;
      } else if (e instanceof AbortRun || this.stopRequested) status = 'aborted';
      else throw e;
    } finally {
      await Promise.allSettled(
        [...locked].map((n) => releaseLock(this.transport(n), this.state.journal.runId)),
      );
      await Promise.allSettled([...this.transports.values()].map((t) => t.close()));
      const refusedUnchanged =
        status === 'failed' &&
        !!failure?.refused &&
        !Object.values(this.state.journal.steps).some((r) => r.changed);
      this.state.finish(refusedUnchanged ? 'refused' : status);
    }
    failure ??= this.firstFailure;
    const kubeconfigPath =
      status === 'completed' && this.persist && op.writesKubeconfig
        ? `${this.o.kubeconfigDir}/${a.cluster.name}.conf`
        : undefined;
    this.emit({
      type: 'run-finished',
      status,
      recap: this.recap,
      durationMs: Date.now() - started,
      logDir: this.state.journal.logDir,
      ...(kubeconfigPath ? { kubeconfigPath } : {}),
      ...(failure ? { failure } : {}),
    });
    return {
      status,
      runId: this.state.journal.runId,
      recap: this.recap,
      logDir: this.state.journal.logDir,
      facts: this.facts,
      unreachable: Object.fromEntries(this.unreachable),
      context: this.state.context,
      ...(kubeconfigPath ? { kubeconfigPath } : {}),
      ...(failure ? { failure } : {}),
      ...(this.preflightProblems.length ? { preflight: this.preflightProblems } : {}),
    };
  }

  private runsOn(step: Step): Host | undefined {
    if (!step.runsOn) return this.o.answers.hosts[0];
    return step.runsOn(this.o.answers, this.svc ?? ({ facts: this.facts } as EngineServices));
  }

  /** Steps for a node the operation may do without (a dead node being removed): skipped, and said so. */
  private skipUnreachable(steps: Step[]): void {
    const a = this.o.answers;
    for (const h of this.hosts) {
      if (this.reachable(h)) continue;
      for (const step of steps) {
        if (!stepEnabled(step, this.choices) || !runsOnHost(step, h, a)) continue;
        this.state.setStep(h.name, step.id, { state: 'skipped', error: 'unreachable' });
        this.recap[h.name]!.skipped++;
        this.emit({
          type: 'notice',
          node: h.name,
          message: `${step.title}: skipped, ${h.name} is unreachable`,
        });
        this.finished(h, step, 'skipped', Date.now(), 0);
      }
    }
  }

  /** Each node runs the steps in order, nodes in parallel. `gather`: failures only mark the node unreachable. */
  private async each(steps: Step[], concurrency: number | undefined, gather: boolean): Promise<void> {
    const a = this.o.answers;
    const limit = pLimit(concurrency ?? this.o.concurrency ?? DEFAULT_CONCURRENCY);
    if (!gather) this.skipUnreachable(steps);
    await Promise.all(
      this.hosts
        .filter((h) => gather || this.reachable(h))
        .map((h) =>
          limit(async () => {
            for (const step of steps) {
              if (!stepEnabled(step, this.choices) || !runsOnHost(step, h, a)) continue;
              if (this.stopRequested) return;
              await this.runStep(step, h, gather);
            }
          }).catch((e) => {
            if (gather && e instanceof RunFailed) {
              this.unreachable.set(h.name, e.failure.message);
              return;
            }
            // Let the other nodes finish the step they are in, then stop.
            this.stopRequested = true;
            if (e instanceof RunFailed) this.firstFailure ??= e.failure;
            else if (!(e instanceof AbortRun)) throw e;
          }),
        ),
    );
    if (this.firstFailure) throw new RunFailed(this.firstFailure);
    if (this.stopRequested) throw new AbortRun();
  }

  private async clusterStep(step: Step): Promise<void> {
    const a = this.o.answers;
    if (this.stopRequested) throw new AbortRun();
    if (!stepEnabled(step, this.choices)) return;
    if (step.scope === 'cluster') {
      const on = this.runsOn(step);
      if (on && step.appliesTo(a.hosts[0]!, a)) await this.runStep(step, on);
      return;
    }
    this.skipUnreachable([step]);
    const nodes = this.hosts.filter((h) => runsOnHost(step, h, a) && this.reachable(h));
    const limit = pLimit(this.o.concurrency ?? DEFAULT_CONCURRENCY);
    if (step.serial) {
      // Serial is about changes. Checks only read, so every node is asked at once, and only the nodes
      // with something to change go one at a time (a rerun of 3 control-plane joins: 1.3 s → 0.5 s).
      const done = await Promise.all(nodes.map((h) => limit(() => this.alreadyDone(step, h))));
      for (const [i, h] of nodes.entries()) if (!done[i]) await this.runStep(step, h);
      return;
    }
    const results = await Promise.allSettled(
      nodes.map((h) =>
        limit(async () => {
          if (!this.stopRequested) await this.runStep(step, h);
        }),
      ),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private failureInfo(step: Step, node: Host, e: unknown, attempts: number): FailureInfo {
    const unreachable = e instanceof UnreachableError;
    const base = {
      node: node.name,
      step: step.id,
      stepTitle: step.title,
      logPath: this.svc.log.pathFor(node.name),
      unreachable,
      skippable: step.skippable,
      attempts,
    };
    if (e instanceof CommandFailed)
      return {
        ...base,
        message: e.message,
        command: e.command,
        exitCode: e.exitCode,
        stderrTail: e.stderrTail,
      };
    if (e instanceof StepError)
      return {
        ...base,
        message: e.hint ? `${e.message}. Try: ${e.hint}` : e.message,
        stderrTail: [],
        ...(e instanceof Refusal ? { refused: true } : {}),
      };
    if (e instanceof AuthError) return { ...base, message: `${e.message}. ${e.hint}`, stderrTail: [] };
    return { ...base, message: this.redactor.redact((e as Error).message ?? String(e)), stderrTail: [] };
  }

  private finished(
    node: Host,
    step: Step,
    status: StepStatus,
    t0: number,
    attempts: number,
    failure?: FailureInfo,
  ): void {
    this.emit({
      type: 'step-finished',
      node: node.name,
      step: step.id,
      phase: step.phase,
      status,
      durationMs: Date.now() - t0,
      attempts,
      ...(failure ? { failure } : {}),
    });
  }

  /** An attempt begins: journaled as running (re-probed if the run dies here) and shown. */
  private started(node: Host, step: Step, attempt: number): void {
    this.state.setStep(node.name, step.id, {
      state: 'running',
      attempts: (this.state.record(node.name, step.id)?.attempts ?? 0) + 1,
      startedAt: new Date().toISOString(),
    });
    this.emit({
      type: 'step-started',
      node: node.name,
      step: step.id,
      title: step.title,
      phase: step.phase,
      attempt,
    });
  }

  private succeeded(node: Host, step: Step, status: StepStatus, t0: number, attempts: number): void {
    this.state.setStep(node.name, step.id, {
      state: 'done',
      changed: status === 'changed',
      finishedAt: new Date().toISOString(),
    });
    this.recap[node.name]!.ok++;
    if (status === 'changed') this.recap[node.name]!.changed++;
    this.finished(node, step, status, t0, attempts);
  }

  /**
   * A serial step's check on its own: true (and the step recorded as done, unchanged) when the node
   * needs nothing. Anything else, a failed check included, is left to runStep, which checks again
   * with its retries, hints and decisions.
   */
  private async alreadyDone(step: Step, node: Host): Promise<boolean> {
    if (this.stopRequested) return false;
    const t0 = Date.now();
    const prior = this.state.record(node.name, step.id)?.attempts ?? 0;
    const ctx = new StepContext(this.svc, node, step, 1, prior);
    try {
      if (step.reads) await ctx.prefetch(node, step.reads(ctx));
      if (!(await step.check(ctx))) return false;
    } catch {
      return false;
    }
    this.started(node, step, 1);
    this.succeeded(node, step, 'unchanged', t0, 1);
    return true;
  }

  private async runStep(step: Step, node: Host, gather = false): Promise<StepStatus> {
    const t0 = Date.now();
    let attempt = 0;
    let budget = step.retry.tries;
    const priorAttempts = this.state.record(node.name, step.id)?.attempts ?? 0;
    for (;;) {
      if (this.stopRequested) throw new AbortRun();
      attempt++;
      this.started(node, step, attempt);
      const ctx = new StepContext(this.svc, node, step, attempt, priorAttempts);
      try {
        if (step.reads) await ctx.prefetch(node, step.reads(ctx));
        const done = await step.check(ctx);
        if (!done) {
          // A retry starts from a clean node (kubeadm reset for init and join), as the step declares.
          if (attempt > 1 && step.reset) await step.reset(ctx);
          await step.apply(ctx);
        }
        const status: StepStatus = !done && ctx.changed ? 'changed' : 'unchanged';
        this.succeeded(node, step, status, t0, attempt);
        return status;
      } catch (e) {
        if (e instanceof AbortRun) throw e;
        if (this.stopRequested) {
          this.state.setStep(node.name, step.id, { state: 'running' }); // interrupted: re-probed on resume
          throw new AbortRun();
        }
        const info = this.failureInfo(step, node, e, attempt);
        this.svc.log.write(node.name, step.id, `FAILED (attempt ${attempt}): ${info.message}`);
        if (attempt < budget && retryMayHelp(e, info)) {
          const delayMs = Math.round(step.retry.delayMs * attempt * (this.o.retryDelayScale ?? 1));
          this.emit({
            type: 'step-retrying',
            node: node.name,
            step: step.id,
            attempt,
            delayMs,
            message: info.message,
          });
          await new Promise((r) => setTimeout(r, delayMs));
          continue;
        }
        if (gather) {
          // Facts: the node is unreachable; preflight reports every such node at once.
          this.state.setStep(node.name, step.id, {
            state: 'failed',
            finishedAt: new Date().toISOString(),
            error: info.message,
          });
          this.recap[node.name]!.unreachable = 1;
          this.emit({ type: 'node-unreachable', node: node.name, message: info.message });
          this.finished(node, step, 'failed', t0, attempt);
          throw new RunFailed(info);
        }
        await this.explain(step, ctx, e, info);
        const decision: Decision = this.o.decide && !this.stopRequested ? await this.ask(info) : 'abort';
        if (decision === 'retry') {
          budget = attempt + 1;
          continue;
        }
        if (decision === 'skip' && step.skippable) {
          this.state.setStep(node.name, step.id, {
            state: 'skipped',
            finishedAt: new Date().toISOString(),
            error: info.message,
          });
          this.recap[node.name]!.skipped++;
          this.finished(node, step, 'skipped', t0, attempt);
          return 'skipped';
        }
        this.state.setStep(node.name, step.id, {
          state: 'failed',
          finishedAt: new Date().toISOString(),
          error: info.message,
        });
        if (info.unreachable) this.recap[node.name]!.unreachable = 1;
        else this.recap[node.name]!.failed++;
        this.finished(node, step, 'failed', t0, attempt, info);
        if (this.o.decide && decision === 'abort') throw new AbortRun();
        throw new RunFailed(info);
      }
    }
  }

  /** A failure's cause and what to do about it: the step's own diagnosis, then the known-failure hints. */
  private async explain(step: Step, ctx: StepContext, e: unknown, info: FailureInfo): Promise<void> {
    if (step.diagnose && !info.unreachable) {
      const cause = await step.diagnose(ctx, e).catch(() => undefined);
      if (cause) info.cause = this.redactor.redact(cause);
    }
    const hint = hintFor([info.message, ...info.stderrTail, info.cause ?? ''].join('\n'), info.node);
    if (hint) info.hint = hint;
  }

  private async ask(info: FailureInfo): Promise<Decision> {
    this.emit({ type: 'decision-needed', failure: info });
    const d = await this.o.decide!(info);
    return d === 'skip' && !info.skippable ? 'abort' : d;
  }
}

/** Automatic retries are for what can pass on a later try; the rest goes to the operator at once. */
function retryMayHelp(e: unknown, info: FailureInfo): boolean {
  if (e instanceof AuthError) return false;
  if (e instanceof StepError && !e.retryMayHelp) return false;
  return !deterministicCause([info.message, ...info.stderrTail].join('\n'));
}
