// A step is a small data object: what it is, where it runs, how to tell it is done, how to do it,
// and its scheduling, retry, reset and skip policy as fields (listr2-style), not control flow.
import type { Answers, Host } from '../../answers/schema.js';
import type { EngineServices, StepContext } from './context.js';

/** A grid column groups phases; each operation names its own columns. */
export type Phase = string;

export interface RetryPolicy {
  tries: number;
  delayMs: number;
}

/** What the operator asked for this run, beyond the answers (steps that only run when asked). */
export interface RunChoices {
  failoverDrill: boolean;
  /** How long a drain may take before it stops and names the pods that block it (remove). */
  drainTimeoutSeconds?: number;
}

export interface Step {
  id: string;
  title: string;
  phase: Phase;
  /** 'node': runs on each node it applies to. 'cluster': runs once, on `runsOn`. */
  scope: 'node' | 'cluster';
  appliesTo(h: Host, a: Answers): boolean;
  /**
   * Runs on the hosts leaving the cluster too (remove's host reset). Every other node step runs only
   * on the answers' hosts, whatever its appliesTo says.
   */
  departing?: boolean;
  /** For a cluster step: where it runs (a healthy control plane, usually). */
  runsOn?(a: Answers, svc: EngineServices): Host;
  /** The nodes it applies to go one at a time (control-plane joins: each grows etcd). */
  serial?: boolean;
  /** Part of this run at all? (The failover drill only when asked.) Absent: always. */
  enabled?(choices: RunChoices): boolean;
  retry: RetryPolicy;
  skippable: boolean;
  /** Put the node back to a clean start before each retry (kubeadm reset for init and join). */
  reset?(ctx: StepContext): Promise<void>;
  /**
   * The read-only commands `check` makes on its node, fetched in one round trip before it runs (a
   * rerun's check then costs one round trip instead of one per read).
   */
  reads?(ctx: StepContext): string[];
  /** True when the step is already done on this node (a rerun then reports "unchanged"). */
  check(ctx: StepContext): Promise<boolean>;
  apply(ctx: StepContext): Promise<void>;
  /**
   * After the step failed for good: look around (read-only) for the cause a message alone cannot
   * show, e.g. ports a firewall drops, or an API that answers locally but not through the VIP.
   */
  diagnose?(ctx: StepContext, error: unknown): Promise<string | undefined>;
}

export function stepEnabled(step: Step, choices: RunChoices): boolean {
  return step.enabled ? step.enabled(choices) : true;
}

/** Whether a node step runs on `h`: its appliesTo, and `h` in the answers unless the step is for leavers. */
export function runsOnHost(step: Step, h: Host, a: Answers): boolean {
  return step.appliesTo(h, a) && (!!step.departing || a.hosts.some((x) => x.name === h.name));
}
