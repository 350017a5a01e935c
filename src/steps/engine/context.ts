// What a step sees: its node, the answers, the rendered files, and commands that log, redact,
// stream output as events. Steps never know whether the transport runs or records.
import { createHash } from 'node:crypto';
import { initNode } from '../../answers/model.js';
import type { Answers, Host } from '../../answers/schema.js';
import type { Catalog } from '../../catalog/schema.js';
import { renderCluster, renderNode } from '../../render/index.js';
import { HOSTS_BLOCK_BEGIN, HOSTS_BLOCK_END } from '../../render/node-basics.js';
import type { RenderedFile, Secrets } from '../../render/types.js';
import type { JournalMarks } from '../../state/journal.js';
import type { Redactor } from '../../state/redact.js';
import { safeLine, safeText } from '../../text/terminal.js';
import { quote } from '../transport/shell.js';
import type { ExecResult, Transport } from '../transport/types.js';
import { batch } from './batch.js';
import { fileStateRead } from './file-state.js';
import type { EngineEvent } from './events.js';
import type { NodeFacts } from './facts.js';
import { CommandFailed, tail } from './failure.js';
import type { RunLog } from './run-log.js';
import type { HostLockOptions } from './lock.js';
import type { PreflightProblem } from './preflight.js';
import type { Operation } from './operation.js';
import type { RunChoices, Step } from './step.js';

export interface EngineServices {
  answers: Answers;
  catalog: Catalog;
  facts: Record<string, NodeFacts>;
  /** The operation this run is. */
  operation: Operation;
  /** Every host of the run: the answers' hosts, then the ones leaving (remove, reset --node). */
  hosts: Host[];
  /** Hosts this run takes out of the cluster; not in the answers any more. */
  departing: Host[];
  /** Nodes that could not be reached, and why (a failed gather-facts step). */
  unreachable: Map<string, string>;
  preflightProblems: PreflightProblem[];
  secrets(): Secrets;
  updateSecrets(patch: Partial<Secrets>): void;
  marks(): JournalMarks;
  setMark(name: keyof JournalMarks, at?: Date): void;
  /** The cluster is gone (reset): the next install starts from scratch. */
  clearMarks(): void;
  /** Operation facts that must survive a crash (the node being removed, the upgrade's target). */
  context(): Record<string, unknown>;
  setContext(key: string, value: unknown): void;
  transport(host: string): Transport;
  log: RunLog;
  redactor: Redactor;
  emit(e: EngineEvent): void;
  runId: string;
  /** This run continues an interrupted one: join credentials must be refreshed. */
  resumed: boolean;
  choices: RunChoices;
  kubeconfigDir: string;
  /** A file on the operator machine (the admin kubeconfig); a plan writes nothing. */
  writeLocal(path: string, data: Buffer, mode: number): void;
  removeLocal(path: string): void;
  installPublicKey?: string;
  lockOptions: Omit<HostLockOptions, 'onNotice'>;
  /** Hosts this run holds the lock of (released at the end). */
  locked: Set<string>;
  /** How long a step waits on the hosts for the cluster to recover, in seconds (scaled in tests). */
  waitSeconds(seconds: number): number;
}

export interface RunOptions {
  timeoutMs?: number;
  input?: string;
  /** Do not throw on a non-zero exit; the caller reads `code`. */
  allowFail?: boolean;
  /** Shown and logged instead of the command (when the command text is long or noisy). */
  label?: string;
}

const DEFAULT_TIMEOUT = 10 * 60_000;

export class StepContext {
  private didChange = false;
  /** Reads fetched ahead in one round trip (prefetch), per host; a change on a host drops its entries. */
  private readonly prefetched = new Map<string, Map<string, ExecResult>>();

  constructor(
    readonly svc: EngineServices,
    readonly node: Host,
    readonly step: Step,
    readonly attempt: number,
    /** Attempts at this step on this node before this run's (an interrupted run being resumed). */
    readonly priorAttempts = 0,
  ) {}

  get answers(): Answers {
    return this.svc.answers;
  }

  get facts(): NodeFacts {
    const f = this.svc.facts[this.node.name];
    if (!f) throw new Error(`no facts for ${this.node.name}`);
    return f;
  }

  get family(): 'rhel' | 'debian' {
    return this.facts.osFamily ?? 'rhel';
  }

  get changed(): boolean {
    return this.didChange;
  }

  markChanged(): void {
    this.didChange = true;
  }

  /**
   * This node's files, rendered with the current secrets and every node's facts. A host that is
   * leaving the cluster renders as the member it was (the answers with it).
   */
  files(host: Host = this.node): RenderedFile[] {
    const a = this.svc.answers;
    const answers = a.hosts.some((h) => h.name === host.name) ? a : { ...a, hosts: [...a.hosts, host] };
    return renderNode(
      {
        answers,
        catalog: this.svc.catalog,
        secrets: this.svc.secrets(),
        facts: this.svc.facts,
      },
      host,
    );
  }

  file(path: string, host: Host = this.node): RenderedFile {
    const f = this.files(host).find((x) => x.path === path);
    if (!f) throw new Error(`no rendered ${path} for ${host.name}`);
    return f;
  }

  clusterFile(path: string): RenderedFile {
    const r = renderCluster({
      answers: this.svc.answers,
      catalog: this.svc.catalog,
      secrets: this.svc.secrets(),
      facts: this.svc.facts,
    });
    const f = r.cluster.find((x) => x.path === path);
    if (!f) throw new Error(`no cluster file ${path}`);
    return f;
  }

  get catalog(): Catalog {
    return this.svc.catalog;
  }

  /**
   * Run these read-only commands on a host in one round trip; the probes that follow get their
   * answers from here until something changes that host. A rerun's check costs one round trip.
   */
  async prefetch(host: Host, commands: string[]): Promise<void> {
    const t = this.svc.transport(host.name);
    if (t.answerProbe) return; // a recording transport answers each read itself
    const cache = this.prefetched.get(host.name) ?? new Map<string, ExecResult>();
    const wanted = [...new Set(commands)].filter((c) => !cache.has(c));
    if (wanted.length < 2) return;
    const b = batch(wanted);
    this.svc.log.write(host.name, this.step.id, `? ${wanted.length} reads in one round trip`);
    const r = await t.exec(b.script, { timeoutMs: 5 * 60_000, step: this.step.id, node: this.node.name });
    this.svc.log.write(host.name, this.step.id, `  => exit ${r.code} (${r.durationMs} ms)`);
    b.split(r.stdout, r.durationMs).forEach((res, i) => res && cache.set(wanted[i]!, res));
    this.prefetched.set(host.name, cache);
  }

  private async exec(host: string, cmd: string, opts: RunOptions, probe: boolean): Promise<ExecResult> {
    const t = this.svc.transport(host);
    const shown = opts.label ?? cmd;
    if (!probe) this.prefetched.delete(host);
    const ahead = probe ? this.prefetched.get(host)?.get(cmd) : undefined;
    if (ahead) {
      this.svc.log.write(host, this.step.id, `? ${shown}\n  => exit ${ahead.code} (prefetched)`);
      return ahead;
    }
    // A recording transport answers reads itself (from what it recorded, or the real host).
    if (probe && t.answerProbe)
      return t.answerProbe(cmd, {
        timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT,
        step: this.step.id,
        node: this.node.name,
      });
    const logTo = host;
    this.svc.log.write(logTo, this.step.id, `${probe ? '?' : '$'} ${shown}`);
    if (!probe)
      this.svc.emit({
        type: 'output-line',
        node: this.node.name,
        step: this.step.id,
        stream: 'command',
        line: this.svc.redactor.redact(`${host === this.node.name ? '' : `[${host}] `}${shown}`),
      });
    const line = (stream: 'stdout' | 'stderr') => (l: string) => {
      const red = safeLine(this.svc.redactor.redact(l));
      this.svc.log.write(logTo, this.step.id, `${stream === 'stderr' ? '! ' : '  '}${red}`);
      if (!probe)
        this.svc.emit({ type: 'output-line', node: this.node.name, step: this.step.id, stream, line: red });
    };
    const r = await t.exec(cmd, {
      timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT,
      ...(opts.input !== undefined ? { input: opts.input } : {}),
      onStdout: line('stdout'),
      onStderr: line('stderr'),
      step: this.step.id,
      node: this.node.name,
      ...(opts.label ? { label: opts.label } : {}),
    });
    this.svc.log.write(logTo, this.step.id, `  => exit ${r.code} (${r.durationMs} ms)`);
    if (r.code !== 0 && !opts.allowFail) {
      throw new CommandFailed(
        this.svc.redactor.redact(shown),
        r.code,
        tail(
          safeText(
            this.svc.redactor.redact(`${r.stderr}\n${r.code !== 0 && !r.stderr.trim() ? r.stdout : ''}`),
          ),
        ),
      );
    }
    return r;
  }

  /** A change: logged and shown. Throws CommandFailed on a non-zero exit. */
  async run(cmd: string, opts: RunOptions = {}): Promise<ExecResult> {
    const r = await this.exec(this.node.name, cmd, opts, false);
    this.didChange = true;
    return r;
  }

  /** Read-only: never changes the node. */
  probe(cmd: string, opts: RunOptions = {}): Promise<ExecResult> {
    return this.exec(this.node.name, cmd, { allowFail: true, ...opts }, true);
  }

  /** A change on another node (the first control plane, usually). */
  async runOn(host: Host, cmd: string, opts: RunOptions = {}): Promise<ExecResult> {
    const r = await this.exec(host.name, cmd, opts, false);
    this.didChange = true;
    return r;
  }

  probeOn(host: Host, cmd: string, opts: RunOptions = {}): Promise<ExecResult> {
    return this.exec(host.name, cmd, { allowFail: true, ...opts }, true);
  }

  get initNode(): Host {
    return initNode(this.svc.answers);
  }

  /** Write a rendered file unless the node already has it with this content and mode. */
  async ensureFile(f: RenderedFile, host: Host = this.node): Promise<boolean> {
    if (f.kind === 'managed-block') return this.ensureBlock(f, host);
    if (await this.isUpToDate(f, host)) return false;
    this.announce(`write ${f.path}`);
    await this.timedUpload(
      host,
      f.path,
      f.content,
      f.mode,
      `upload ${f.path} (mode ${f.mode.toString(8)}${f.secret ? ', secret' : ''})`,
    );
    return true;
  }

  /** The read isUpToDate makes for a file (to prefetch it with others). */
  fileRead(f: RenderedFile): string {
    return f.kind === 'managed-block' ? `cat ${quote(f.path)} 2>/dev/null` : fileStateRead(f.path);
  }

  /** Read-only: the node has this file with this content and mode. */
  async isUpToDate(f: RenderedFile, host: Host = this.node): Promise<boolean> {
    if (f.kind === 'managed-block') {
      const current = (await this.probeOn(host, this.fileRead(f))).stdout;
      return spliceBlock(current, f.content) === current;
    }
    const want = createHash('sha256').update(f.content).digest('hex');
    const probe = await this.probeOn(host, this.fileRead(f));
    const [line1, line2] = probe.stdout.split('\n');
    return !!line1?.startsWith(want) && line2?.trim() === f.mode.toString(8);
  }

  private async ensureBlock(f: RenderedFile, host: Host): Promise<boolean> {
    const current = (await this.probeOn(host, this.fileRead(f))).stdout;
    const next = spliceBlock(current, f.content);
    if (next === current) return false;
    this.announce(`update managed block in ${f.path}`);
    await this.timedUpload(host, f.path, next, f.mode, `update the managed block in ${f.path}`);
    return true;
  }

  /** Upload, logged like a command (with its duration), so the log shows all remote time. */
  async timedUpload(
    host: Host,
    path: string,
    content: string,
    mode: number,
    label = `upload ${path}`,
  ): Promise<void> {
    const started = Date.now();
    this.prefetched.delete(host.name);
    this.svc.log.write(host.name, this.step.id, `$ ${label}`);
    await this.svc
      .transport(host.name)
      .upload(path, content, mode, { step: this.step.id, node: this.node.name, label });
    this.svc.log.write(host.name, this.step.id, `  => exit 0 (${Date.now() - started} ms)`);
    this.didChange = true;
  }

  /** A change shown in the plan and the progress output. */
  announce(line: string): void {
    this.svc.emit({ type: 'output-line', node: this.node.name, step: this.step.id, stream: 'command', line });
  }

  notice(message: string): void {
    this.svc.emit({ type: 'notice', node: this.node.name, message });
  }
}

/** Replace the BEGIN..END block in `current` (or append it), keeping everything else. */
export function spliceBlock(current: string, block: string): string {
  const lines = current.split('\n');
  const start = lines.findIndex((l) => l.startsWith(HOSTS_BLOCK_BEGIN));
  const end = lines.findIndex((l, i) => i >= start && l.startsWith(HOSTS_BLOCK_END));
  const blockLines = block.replace(/\n$/, '').split('\n');
  if (start >= 0 && end >= start) {
    return [...lines.slice(0, start), ...blockLines, ...lines.slice(end + 1)].join('\n');
  }
  const base = current === '' || current.endsWith('\n') ? current : `${current}\n`;
  return `${base}${block}`;
}
