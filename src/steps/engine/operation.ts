// An operation (install, add or remove nodes, reset, upgrade …) is a list of stages over the one
// engine, the way k0sctl builds apply, reset and backup from one phase manager. The engine opens
// every operation the same way (facts, preflight, locks) and runs its stages in order.
import type { Answers, Host } from '../../answers/schema.js';
import type { EngineServices } from './context.js';
import type { Phase, RunChoices, Step } from './step.js';
import { runsOnHost, stepEnabled } from './step.js';

export type Stage =
  /** Each node runs these steps in order, nodes in parallel (up to the concurrency). */
  | { kind: 'each'; steps: Step[]; concurrency?: number }
  /** One step: once (cluster scope) or on every node it applies to, in parallel unless serial. */
  | { kind: 'step'; step: Step };

/** A column of the live grid: the phases it shows. */
export interface Column {
  id: string;
  label: string;
  phases: Phase[];
}

export interface Operation {
  id: string;
  title: string;
  columns: Column[];
  stages: Stage[];
  /** Changes hosts: the engine locks them. A read-only operation (status) does not. */
  changes: boolean;
  /** Hosts that may be unreachable without stopping the run (a dead node being removed, status). */
  mayBeUnreachable?(h: Host, svc: EngineServices): boolean;
  /** Preflight problems stop the run (enforce, the default) or are only reported (status). */
  preflight?: 'enforce' | 'report';
  /**
   * Tears the cluster down: answers that name another API endpoint than the installed cluster's are
   * no reason to stop (every other operation refuses them; preflight's endpointMismatch).
   */
  anyEndpoint?: boolean;
  /** Writes the admin kubeconfig to the operator machine (the outcome names it). */
  writesKubeconfig?: boolean;
}

export function stagesSteps(stages: Stage[]): Step[] {
  return stages.flatMap((s) => (s.kind === 'each' ? s.steps : [s.step]));
}

/** Which nodes each enabled step runs on: the grid's rows and the plan's order. */
export function layoutOf(
  stages: Stage[],
  a: Answers,
  choices: RunChoices,
  runsOn: (step: Step) => Host | undefined,
  hosts: Host[] = a.hosts,
): { step: Step; nodes: Host[] }[] {
  const out: { step: Step; nodes: Host[] }[] = [];
  for (const step of stagesSteps(stages)) {
    if (!stepEnabled(step, choices)) continue;
    const nodes =
      step.scope === 'cluster'
        ? step.appliesTo(a.hosts[0]!, a)
          ? [runsOn(step)].filter((h): h is Host => !!h)
          : []
        : hosts.filter((h) => runsOnHost(step, h, a));
    if (nodes.length) out.push({ step, nodes });
  }
  return out;
}
