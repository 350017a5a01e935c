// The install engine: connect and gather facts, preflight, lock, the per-node pipeline in parallel,
// then the cluster sequence (barriers, init, joins, CNI, add-ons, verification). Every transition is
// journaled; every event is typed; failures are retried per step policy, then decided by the
// interactive wizard (retry, skip, abort) or end an unattended run.
import pLimit from 'p-limit';
import type { Answers, Host } from '../../answers/schema.js';
import type { Catalog } from '../../catalog/schema.js';
import { Redactor } from '../../state/redact.js';
import { safeLine, safeText } from '../../text/terminal.js';
import { CLUSTER_SEQUENCE, NODE_PIPELINE } from '../index.js';
import { quote } from '../transport/shell.js';
import { AuthError, UnreachableError, type Transport } from '../transport/types.js';
import { StepContext, type EngineServices } from './context.js';
import type { Decision, EngineEvent, EngineListener, FailureInfo, Recap, StepStatus } from './events.js';
import type { NodeFacts } from './facts.js';
import { gatherNodeFacts, unreachableMessage, vipInUse } from './gather-facts.js';
import { CommandFailed, StepError } from './failure.js';
import { DEFAULT_CONCURRENCY } from './concurrency.js';
import { hintFor } from './hints.js';
import { acquireLock, releaseLock } from './lock.js';
import { preflight } from './preflight.js';
import { RunLog } from './run-log.js';
import { RunState } from './run-state.js';
import type { Step } from './step.js';
import type { LockOwner } from '../../state/run-lock.js';

export interface EngineOptions {
  answers: Answers;
  catalog: Catalog;
  transport: (h: Host) => Transport;
  stateRoot: string;
  kubeconfigDir: string;
  concurrency?: number;
  /** Record instead of change. Facts come from `dryRunFacts` (offline) or a read-only SSH pass. */
  dryRun?: boolean;
  dryRunFacts?: (h: Host) => NodeFacts;
  failoverDrill?: boolean;
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
}

export interface RunOutcome {
  status: 'completed' | 'failed' | 'aborted';
  runId: string;
  recap: Record<string, Recap>;
  logDir: string;
  kubeconfigPath?: string;
  failure?: FailureInfo;
  preflight?: { node: string; message: string }[];
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

export const FACTS_STEP = { id: 'gather-facts', title: 'Connect and gather facts', phase: 'facts' as const };

export class Engine {
  private listeners: EngineListener[] = [];
  private recap: Record<string, Recap> = {};
  private facts: Record<string, NodeFacts> = {};
  private transports = new Map<string, Transport>();
  private state!: RunState;
  private svc!: EngineServices;
  private readonly redactor = new Redactor();
  private stopRequested = false;
  private firstFailure: FailureInfo | undefined;

  constructor(private readonly o: EngineOptions) {
    this.redactor.add(...(o.extraSecrets ?? []));
    for (const h of o.answers.hosts)
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
      const h = this.o.answers.hosts.find((x) => x.name === name);
      if (!h) throw new Error(`unknown host ${name}`);
      t = this.o.transport(h);
      this.transports.set(name, t);
    }
    return t;
  }

  /** Which nodes each step runs on (for the grid and the plan). */
  static layout(a: Answers): { step: Step; nodes: Host[] }[] {
    const out: { step: Step; nodes: Host[] }[] = [];
    for (const step of [...NODE_PIPELINE, ...CLUSTER_SEQUENCE]) {
      const nodes =
        step.scope === 'cluster'
          ? step.appliesTo(a.hosts[0]!, a)
            ? [step.runsOn!(a)]
            : []
          : a.hosts.filter((h) => step.appliesTo(h, a));
      if (nodes.length) out.push({ step, nodes });
    }
    return out;
  }

  async run(): Promise<RunOutcome> {
    const started = Date.now();
    const a = this.o.answers;
    this.state = await RunState.open({
      answers: a,
      stateRoot: this.o.stateRoot,
      restart: !!this.o.restart,
      dryRun: !!this.o.dryRun,
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
    const log = new RunLog(this.state.journal.logDir, this.redactor);
    this.svc = {
      answers: a,
      catalog: this.o.catalog,
      facts: this.facts,
      secrets: () => this.state.secrets,
      updateSecrets: (p) => this.state.updateSecrets(p),
      marks: () => this.state.marks,
      setMark: (n, at) => this.state.setMark(n, at),
      transport: (n) => this.transport(n),
      log,
      redactor: this.redactor,
      emit: (e) => this.emit(e),
      dryRun: !!this.o.dryRun,
      resumed: this.state.resumed,
      failoverDrill: !!this.o.failoverDrill,
      kubeconfigDir: this.o.kubeconfigDir,
    };
    const layout = Engine.layout(a);
    this.emit({
      type: 'run-started',
      runId: this.state.journal.runId,
      cluster: a.cluster.name,
      resumed: this.state.resumed,
      nodes: a.hosts.map((h) => ({ name: h.name, role: h.role })),
      steps: [
        { ...FACTS_STEP, nodes: a.hosts.map((h) => h.name) },
        ...layout.map((l) => ({
          id: l.step.id,
          title: l.step.title,
          phase: l.step.phase,
          nodes: l.nodes.map((n) => n.name),
        })),
      ],
      logDir: this.state.journal.logDir,
    });
    if (this.state.resumed)
      this.emit({
        type: 'notice',
        message: `resuming run ${this.state.journal.runId} (resume #${this.state.journal.resumes}); steps are re-checked on the hosts`,
      });
    let status: RunOutcome['status'] = 'completed';
    let failure: FailureInfo | undefined;
    let preflightProblems: RunOutcome['preflight'];
    let locked: Host[] = [];
    try {
      const reachable = await this.gatherFacts();
      const problems = this.o.dryRun
        ? []
        : preflight(a, this.facts, await vipInUse(a, this.facts, (n) => this.transport(n)));
      const unreachable = a.hosts.filter((h) => !reachable.has(h.name));
      for (const h of unreachable)
        problems.unshift({
          node: h.name,
          message: `unreachable: ${this.unreachableWhy.get(h.name) ?? 'no connection'}`,
        });
      if (problems.length) {
        preflightProblems = problems;
        throw new RunFailed({
          node: problems[0]!.node,
          step: FACTS_STEP.id,
          stepTitle: 'Preflight',
          message: `preflight failed; nothing was changed on any host:\n${problems.map((p) => `  ${p.node}: ${p.message}`).join('\n')}`,
          stderrTail: [],
          logPath: log.dir,
          unreachable: unreachable.length > 0,
          skippable: false,
          attempts: 1,
        });
      }
      if (!this.o.dryRun) {
        await Promise.all(
          a.hosts.map((h) =>
            acquireLock(this.transport(h.name), this.state.journal.runId, a.cluster.name, {
              breakLock: !!this.o.breakLock,
              ...(this.o.confirm ? { confirm: this.o.confirm } : {}),
              onNotice: (message) => this.emit({ type: 'notice', node: h.name, message }),
            }),
          ),
        );
        locked = a.hosts;
      }
      await this.nodePipeline();
      for (const step of CLUSTER_SEQUENCE) await this.clusterStep(step);
    } catch (e) {
      if (e instanceof AbortRun || this.stopRequested) status = 'aborted';
      else if (e instanceof RunFailed) {
        status = 'failed';
        failure = e.failure;
      } else throw e;
    } finally {
      await Promise.allSettled(
        locked.map((h) => releaseLock(this.transport(h.name), this.state.journal.runId)),
      );
      await Promise.allSettled([...this.transports.values()].map((t) => t.close()));
      this.state.finish(status === 'completed' ? 'completed' : status);
    }
    failure ??= this.firstFailure;
    const kubeconfigPath =
      status === 'completed' && !this.o.dryRun ? `${this.o.kubeconfigDir}/${a.cluster.name}.conf` : undefined;
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
      ...(kubeconfigPath ? { kubeconfigPath } : {}),
      ...(failure ? { failure } : {}),
      ...(preflightProblems ? { preflight: preflightProblems } : {}),
    };
  }

  private unreachableWhy = new Map<string, string>();

  private async gatherFacts(): Promise<Set<string>> {
    const a = this.o.answers;
    const reachable = new Set<string>();
    const limit = pLimit(this.o.concurrency ?? DEFAULT_CONCURRENCY);
    await Promise.all(
      a.hosts.map((h) =>
        limit(async () => {
          const t0 = Date.now();
          this.emit({
            type: 'step-started',
            node: h.name,
            step: FACTS_STEP.id,
            title: FACTS_STEP.title,
            phase: 'facts',
            attempt: 1,
          });
          try {
            if (this.o.dryRun && this.o.dryRunFacts) {
              this.facts[h.name] = this.o.dryRunFacts(h);
            } else {
              const t = this.transport(h.name);
              const log = (line: string) => this.svc.log.write(h.name, FACTS_STEP.id, line);
              if (this.o.installPublicKey) {
                await t.connect();
                await this.installKey(t, h);
              }
              this.facts[h.name] = await gatherNodeFacts(t, a, h, log);
            }
            reachable.add(h.name);
            this.recap[h.name]!.ok++;
            this.emit({
              type: 'step-finished',
              node: h.name,
              step: FACTS_STEP.id,
              phase: 'facts',
              status: 'unchanged',
              durationMs: Date.now() - t0,
              attempts: 1,
            });
          } catch (e) {
            const msg = (e as Error).message;
            this.unreachableWhy.set(h.name, unreachableMessage(e));
            this.recap[h.name]!.unreachable = 1;
            this.emit({ type: 'node-unreachable', node: h.name, message: msg });
            this.emit({
              type: 'step-finished',
              node: h.name,
              step: FACTS_STEP.id,
              phase: 'facts',
              status: 'failed',
              durationMs: Date.now() - t0,
              attempts: 1,
            });
          }
        }),
      ),
    );
    return reachable;
  }

  private async installKey(t: Transport, h: Host): Promise<void> {
    const user = h.ssh?.user ?? this.o.answers.ssh.user;
    const key = this.o.installPublicKey!.trim();
    await t.exec(
      `home=$(getent passwd ${quote(user)} | cut -d: -f6); mkdir -p "$home/.ssh" && touch "$home/.ssh/authorized_keys" && (grep -qxF ${quote(key)} "$home/.ssh/authorized_keys" || printf '%s\\n' ${quote(key)} >> "$home/.ssh/authorized_keys") && chown -R ${quote(user)} "$home/.ssh" && chmod 700 "$home/.ssh" && chmod 600 "$home/.ssh/authorized_keys"`,
    );
    this.emit({
      type: 'notice',
      node: h.name,
      message: `installed the operator's public key for ${user}; later runs can use the key`,
    });
  }

  private async nodePipeline(): Promise<void> {
    const a = this.o.answers;
    const limit = pLimit(this.o.concurrency ?? DEFAULT_CONCURRENCY);
    await Promise.all(
      a.hosts.map((h) =>
        limit(async () => {
          for (const step of NODE_PIPELINE) {
            if (!step.appliesTo(h, a)) continue;
            if (this.stopRequested) return;
            await this.runStep(step, h);
          }
        }).catch((e) => {
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
    if (step.scope === 'cluster') {
      if (step.appliesTo(a.hosts[0]!, a)) await this.runStep(step, step.runsOn!(a));
      return;
    }
    const nodes = a.hosts.filter((h) => step.appliesTo(h, a));
    if (step.id === 'join-control-plane') {
      // One at a time: each join grows etcd, which must be healthy before the next.
      for (const h of nodes) await this.runStep(step, h);
      return;
    }
    const limit = pLimit(this.o.concurrency ?? DEFAULT_CONCURRENCY);
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
      return { ...base, message: e.hint ? `${e.message}. Try: ${e.hint}` : e.message, stderrTail: [] };
    if (e instanceof AuthError) return { ...base, message: `${e.message}. ${e.hint}`, stderrTail: [] };
    return { ...base, message: this.redactor.redact((e as Error).message ?? String(e)), stderrTail: [] };
  }

  private async runStep(step: Step, node: Host): Promise<StepStatus> {
    const t0 = Date.now();
    let attempt = 0;
    let budget = step.retry.tries;
    for (;;) {
      if (this.stopRequested) throw new AbortRun();
      attempt++;
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
      const ctx = new StepContext(this.svc, node, step, attempt);
      try {
        const done = await step.check(ctx);
        if (!done) await step.apply(ctx);
        const status: StepStatus = !done && ctx.changed ? 'changed' : 'unchanged';
        this.state.setStep(node.name, step.id, {
          state: 'done',
          changed: status === 'changed',
          finishedAt: new Date().toISOString(),
        });
        this.recap[node.name]!.ok++;
        if (status === 'changed') this.recap[node.name]!.changed++;
        this.emit({
          type: 'step-finished',
          node: node.name,
          step: step.id,
          phase: step.phase,
          status,
          durationMs: Date.now() - t0,
          attempts: attempt,
        });
        return status;
      } catch (e) {
        if (e instanceof AbortRun) throw e;
        if (this.stopRequested) {
          this.state.setStep(node.name, step.id, { state: 'running' }); // interrupted: re-probed on resume
          throw new AbortRun();
        }
        const info = this.failureInfo(step, node, e, attempt);
        this.svc.log.write(node.name, step.id, `FAILED (attempt ${attempt}): ${info.message}`);
        if (attempt < budget && !this.stopRequested && !(e instanceof AuthError)) {
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
          this.emit({
            type: 'step-finished',
            node: node.name,
            step: step.id,
            phase: step.phase,
            status: 'skipped',
            durationMs: Date.now() - t0,
            attempts: attempt,
          });
          return 'skipped';
        }
        this.state.setStep(node.name, step.id, {
          state: 'failed',
          finishedAt: new Date().toISOString(),
          error: info.message,
        });
        if (info.unreachable) this.recap[node.name]!.unreachable = 1;
        else this.recap[node.name]!.failed++;
        this.emit({
          type: 'step-finished',
          node: node.name,
          step: step.id,
          phase: step.phase,
          status: 'failed',
          durationMs: Date.now() - t0,
          attempts: attempt,
          failure: info,
        });
        if (this.o.decide && decision === 'abort') throw new AbortRun();
        throw new RunFailed(info);
      }
    }
  }

  /** A failure's cause and what to do about it: the step's own diagnosis, then the known-failure hints. */
  private async explain(step: Step, ctx: StepContext, e: unknown, info: FailureInfo): Promise<void> {
    if (step.diagnose && !this.o.dryRun && !info.unreachable) {
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
