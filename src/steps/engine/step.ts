// A step is a small data object: what it is, where it runs, how to tell it is done, how to do it,
// and its retry and skip policy (listr2-style fields, not control flow).
import type { Answers, Host } from '../../answers/schema.js';
import type { StepContext } from './context.js';

/** Columns of the progress grid, in order. */
export const PHASES = [
  'facts',
  'prepare',
  'runtime',
  'packages',
  'lb',
  'init',
  'join',
  'cni',
  'addons',
  'verify',
] as const;
export type Phase = (typeof PHASES)[number];

export interface RetryPolicy {
  tries: number;
  delayMs: number;
}

export interface Step {
  id: string;
  title: string;
  phase: Phase;
  /** 'node': runs on each node it applies to. 'cluster': runs once, on `runsOn`. */
  scope: 'node' | 'cluster';
  appliesTo(h: Host, a: Answers): boolean;
  runsOn?(a: Answers): Host;
  retry: RetryPolicy;
  skippable: boolean;
  /** kubeadm init/join: a retry first runs `kubeadm reset -f` and its cleanup. */
  resetBeforeRetry?: boolean;
  /** True when the step is already done on this node (a rerun then reports "unchanged"). */
  check(ctx: StepContext): Promise<boolean>;
  apply(ctx: StepContext): Promise<void>;
  /**
   * After the step failed for good: look around (read-only) for the cause a message alone cannot
   * show, e.g. ports a firewall drops, or an API that answers locally but not through the VIP.
   */
  diagnose?(ctx: StepContext, error: unknown): Promise<string | undefined>;
}
