// The live grid's state, built from engine events: one row per node, one column per group of
// phases (the operation names its columns), a log tail per node. Plain data, so the screen can
// render it at its own (throttled) pace.
import type { EngineEvent, FailureInfo, Recap } from '../steps/engine/events.js';
import type { Column } from '../steps/engine/operation.js';
import type { Phase } from '../steps/engine/step.js';

export type CellState = 'none' | 'waiting' | 'running' | 'done' | 'failed' | 'skipped';

interface Cell {
  planned: number;
  done: number;
  skipped: number;
  running: number;
  failed: boolean;
  retries: number;
}

const LOG_TAIL = 200;

export class InstallModel {
  nodes: { name: string; role: string }[] = [];
  operation = '';

  constructor(public columns: Column[] = []) {}
  private cells = new Map<string, Cell[]>();
  private stepPhase = new Map<string, Phase>();
  readonly logs = new Map<string, string[]>();
  readonly running = new Map<string, string>();
  notices: string[] = [];
  runId = '';
  logDir = '';
  resumed = false;
  finished?: {
    status: string;
    recap: Record<string, Recap>;
    kubeconfigPath?: string;
    logDir: string;
    failure?: FailureInfo;
    durationMs: number;
  };
  failure?: FailureInfo;
  readonly startedAt = Date.now();
  /** Bumped on every change; the screen re-renders when it moved. */
  version = 0;

  /** A phase no column names (the engine's opening) shows in the first column. */
  private columnOf(phase: Phase): number {
    const i = this.columns.findIndex((c) => c.phases.includes(phase));
    return i < 0 && this.columns.length ? 0 : i;
  }

  private cell(node: string, phase: Phase): Cell | undefined {
    const col = this.columnOf(phase);
    return col < 0 ? undefined : this.cells.get(node)?.[col];
  }

  private log(node: string, line: string): void {
    const l = this.logs.get(node) ?? [];
    l.push(line);
    if (l.length > LOG_TAIL) l.splice(0, l.length - LOG_TAIL);
    this.logs.set(node, l);
  }

  apply(e: EngineEvent): void {
    this.version++;
    switch (e.type) {
      case 'run-started':
        this.nodes = e.nodes;
        this.columns = e.columns;
        this.operation = e.operation;
        this.runId = e.runId;
        this.logDir = e.logDir;
        this.resumed = e.resumed;
        for (const n of e.nodes)
          this.cells.set(
            n.name,
            e.columns.map(() => ({ planned: 0, done: 0, skipped: 0, running: 0, failed: false, retries: 0 })),
          );
        for (const s of e.steps) {
          this.stepPhase.set(s.id, s.phase);
          for (const n of s.nodes) {
            const c = this.cell(n, s.phase);
            if (c) c.planned++;
          }
        }
        break;
      case 'step-started': {
        const c = this.cell(e.node, e.phase);
        if (c) c.running++;
        this.running.set(`${e.node}/${e.step}`, e.title);
        if (e.attempt > 1) this.log(e.node, `attempt ${e.attempt} of ${e.step}`);
        break;
      }
      case 'step-retrying': {
        const c = this.cell(e.node, this.stepPhase.get(e.step) ?? 'prepare');
        if (c) c.retries++;
        this.log(e.node, `! ${e.step} failed, retrying: ${e.message.split('\n')[0]}`);
        break;
      }
      case 'step-finished': {
        const c = this.cell(e.node, e.phase);
        if (c) {
          c.running = Math.max(0, c.running - 1);
          if (e.status === 'failed') c.failed = true;
          else if (e.status === 'skipped') c.skipped++;
          else c.done++;
        }
        this.running.delete(`${e.node}/${e.step}`);
        if (e.failure) this.failure = e.failure;
        break;
      }
      case 'output-line':
        this.log(e.node, `${e.stream === 'command' ? '$ ' : ''}${e.line}`);
        break;
      case 'node-unreachable':
        this.log(e.node, `unreachable: ${e.message}`);
        this.notices.push(`${e.node} is unreachable: ${e.message}`);
        break;
      case 'notice':
        this.notices.push(`${e.node ? `${e.node}: ` : ''}${e.message}`);
        break;
      case 'decision-needed':
        this.failure = e.failure;
        break;
      case 'run-finished':
        this.finished = {
          status: e.status,
          recap: e.recap,
          logDir: e.logDir,
          durationMs: e.durationMs,
          ...(e.kubeconfigPath ? { kubeconfigPath: e.kubeconfigPath } : {}),
          ...(e.failure ? { failure: e.failure } : {}),
        };
        break;
    }
  }

  state(node: string, col: number): { state: CellState; retries: number } {
    const c = this.cells.get(node)?.[col];
    if (!c || c.planned === 0) return { state: 'none', retries: 0 };
    if (c.failed) return { state: 'failed', retries: c.retries };
    if (c.running > 0) return { state: 'running', retries: c.retries };
    if (c.done + c.skipped >= c.planned)
      return { state: c.skipped && !c.done ? 'skipped' : 'done', retries: c.retries };
    return { state: 'waiting', retries: c.retries };
  }

  /** A node is finished when none of its columns is waiting or running. */
  nodeDone(node: string): boolean {
    return this.columns.every((_, i) => ['none', 'done', 'skipped'].includes(this.state(node, i).state));
  }
}
