// The engine's typed events. The Ink grid, the plain-line renderer and the JSON-lines renderer all
// consume these and nothing else.
import type { Column } from './operation.js';
import type { Phase } from './step.js';

export type StepStatus = 'changed' | 'unchanged' | 'failed' | 'skipped';

export interface FailureInfo {
  node: string;
  step: string;
  stepTitle: string;
  message: string;
  command?: string;
  exitCode?: number;
  stderrTail: string[];
  logPath: string;
  /** What the engine found out about the cause (a step's diagnosis), if anything. */
  cause?: string;
  /** What to do about a known cause, when the message shows one. */
  hint?: string;
  unreachable: boolean;
  skippable: boolean;
  attempts: number;
  /** Refused before anything changed (exit 2): the operation must not happen as asked. */
  refused?: boolean;
}

export interface Recap {
  ok: number;
  changed: number;
  unreachable: number;
  failed: number;
  skipped: number;
}

export type EngineEvent =
  | {
      type: 'run-started';
      runId: string;
      cluster: string;
      /** The operation (install, add, remove …) and its grid columns. */
      operation: string;
      columns: Column[];
      resumed: boolean;
      nodes: { name: string; role: string }[];
      steps: { id: string; title: string; phase: Phase; nodes: string[] }[];
      logDir: string;
    }
  | { type: 'notice'; message: string; node?: string }
  | { type: 'step-started'; node: string; step: string; title: string; phase: Phase; attempt: number }
  | { type: 'output-line'; node: string; step: string; stream: 'stdout' | 'stderr' | 'command'; line: string }
  | { type: 'step-retrying'; node: string; step: string; attempt: number; delayMs: number; message: string }
  | {
      type: 'step-finished';
      node: string;
      step: string;
      phase: Phase;
      status: StepStatus;
      durationMs: number;
      attempts: number;
      failure?: FailureInfo;
    }
  | { type: 'node-unreachable'; node: string; message: string }
  | { type: 'decision-needed'; failure: FailureInfo }
  | {
      type: 'run-finished';
      status: 'completed' | 'failed' | 'aborted';
      recap: Record<string, Recap>;
      durationMs: number;
      kubeconfigPath?: string;
      logDir: string;
      failure?: FailureInfo;
    };

export type EngineListener = (e: EngineEvent) => void;
export type Decision = 'retry' | 'skip' | 'abort';
