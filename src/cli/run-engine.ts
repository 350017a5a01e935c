// Shared by apply, resume and plan: run the engine with a renderer, Ctrl-C handling and exit codes.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Answers } from '../answers/schema.js';
import type { Catalog } from '../catalog/schema.js';
import { ExitCode } from '../errors.js';
import { Engine, type RunOutcome } from '../steps/engine/engine.js';
import type { EngineEvent } from '../steps/engine/events.js';
import type { NodeFacts } from '../steps/engine/facts.js';
import { stateRoot } from '../state/paths.js';
import { jsonRenderer } from './output/json.js';
import { plainRenderer } from './output/plain.js';
import { transportSetup, type TransportKind } from '../steps/transport/setup.js';

export interface EngineFlags {
  output?: 'plain' | 'json';
  concurrency?: string;
  stateDir?: string;
  kubeconfigDir?: string;
  restart?: boolean;
  breakLock?: boolean;
  failoverDrill?: boolean;
  verbose?: boolean;
  transport?: TransportKind;
  installKey?: string;
}

export interface EngineRun {
  answers: Answers;
  catalog: Catalog;
  flags: EngineFlags;
  dryRun?: boolean;
  dryRunFacts?: (name: string) => NodeFacts;
  extraListener?: (e: EngineEvent) => void;
  /** No progress output (the plan prints its own). */
  quiet?: boolean;
}

export function concurrencyOf(flags: EngineFlags): number {
  const n = Number(flags.concurrency ?? 10);
  return Number.isInteger(n) && n >= 1 && n <= 200 ? n : 10;
}

export async function runEngine(r: EngineRun): Promise<{ outcome: RunOutcome; code: number }> {
  const root = r.flags.stateDir ?? stateRoot();
  const write = (l: string) => process.stdout.write(`${l}\n`);
  const render = r.flags.output === 'json' ? jsonRenderer(write) : plainRenderer(write, !!r.flags.verbose);
  const notice = (m: string) => render({ type: 'notice', message: m });
  const kind: TransportKind = r.dryRun ? 'dry-run' : (r.flags.transport ?? 'ssh');
  const setup = transportSetup(kind, r.answers, root, notice);
  const engine = new Engine({
    answers: r.answers,
    catalog: r.catalog,
    transport: setup.factory,
    stateRoot: root,
    kubeconfigDir: r.flags.kubeconfigDir ?? join(homedir(), '.kube'),
    concurrency: concurrencyOf(r.flags),
    dryRun: !!r.dryRun,
    ...(r.dryRunFacts ? { dryRunFacts: (h) => r.dryRunFacts!(h.name) } : {}),
    failoverDrill: !!r.flags.failoverDrill,
    restart: !!r.flags.restart,
    breakLock: !!r.flags.breakLock,
    extraSecrets: setup.secrets,
    ...(r.flags.installKey ? { installPublicKey: readFileSync(r.flags.installKey, 'utf8') } : {}),
  });
  if (!r.quiet) engine.on(render);
  if (r.extraListener) engine.on(r.extraListener);
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(ExitCode.interrupted);
    process.stderr.write(
      '\ninterrupted: stopping after the current commands (Ctrl-C again to quit now); the journal keeps the progress\n',
    );
    engine.stop();
  };
  process.on('SIGINT', onSigint);
  try {
    const outcome = await engine.run();
    const code =
      outcome.status === 'completed'
        ? ExitCode.ok
        : outcome.status === 'aborted'
          ? ExitCode.interrupted
          : ExitCode.failure;
    return { outcome, code };
  } finally {
    process.off('SIGINT', onSigint);
  }
}
