// Shared by apply, resume and plan: run the engine with a renderer, Ctrl-C handling and exit codes.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Answers, Host } from '../answers/schema.js';
import type { RunChoices } from '../steps/engine/step.js';
import type { Catalog } from '../catalog/schema.js';
import ssh2 from 'ssh2';
import { ExitCode, UsageError } from '../errors.js';
import { hasControlChars } from '../text/terminal.js';
import { concurrencyOf } from '../steps/engine/concurrency.js';
import { createEngine, type CreateEngineOptions } from '../steps/engine/create.js';
import type { RunOutcome } from '../steps/engine/engine.js';
import type { EngineEvent } from '../steps/engine/events.js';
import type { Operation } from '../steps/engine/operation.js';
import type { RecordedAction } from '../steps/transport/dry-run.js';
import { stateRoot } from '../state/paths.js';
import { jsonRenderer } from './output/json.js';
import { plainRenderer } from './output/plain.js';
import type { TransportKind } from '../steps/transport/setup.js';

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
  strictHostKeys?: boolean;
}

export interface EngineRun {
  operation: Operation;
  answers: Answers;
  catalog: Catalog;
  flags: EngineFlags;
  /** A dry run (plan): record the changes; reads go to the hosts or, offline, to canned answers. */
  record?: CreateEngineOptions['record'];
  /** Hosts leaving the cluster (remove), what the run must remember, extra choices, persistence. */
  departing?: Host[];
  context?: Record<string, unknown>;
  choices?: Partial<RunChoices>;
  persist?: boolean;
  /** Without a journal, still write files for the operator machine (a backup). */
  writesLocal?: boolean;
  extraListener?: (e: EngineEvent) => void;
  /** No progress output (the plan prints its own). */
  quiet?: boolean;
  /** Named in the local lock file (apply, resume …). */
  command?: string;
}

/** A yes/no question on the terminal; anything but y/yes is no. */
export async function askYesNo(question: string): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

const PUBLIC_KEY_TYPES =
  /^(ssh-ed25519|ecdsa-sha2-nistp(256|384|521)|ssh-rsa|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,3}( .*)?$/;

/** --install-key: exactly one OpenSSH public-key line, or a usage error (exit 2) before any host is touched. */
export function readPublicKey(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(
      `--install-key: cannot read ${file} (${(e as NodeJS.ErrnoException).code})`,
      'pass the .pub file of your key',
    );
  }
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines.length !== 1 || !PUBLIC_KEY_TYPES.test(lines[0]!) || hasControlChars(lines[0]!))
    throw new UsageError(
      `--install-key: ${file} must hold exactly one OpenSSH public key line (type, base64 key, optional comment); it has ${lines.length} line(s)${lines.length === 1 ? ' in another format' : ''}`,
      'pass the .pub file, e.g. ~/.ssh/id_ed25519.pub (never the private key)',
    );
  const parsed = ssh2.utils.parseKey(lines[0]!);
  if (parsed instanceof Error || parsed.isPrivateKey())
    throw new UsageError(
      `--install-key: ${file} is not a valid public key`,
      'pass the .pub file of your key',
    );
  return lines[0]!;
}

export async function runEngine(
  r: EngineRun,
): Promise<{ outcome: RunOutcome; code: number; recorded: RecordedAction[] }> {
  const root = r.flags.stateDir ?? stateRoot();
  const write = (l: string) => process.stdout.write(`${l}\n`);
  const render = r.flags.output === 'json' ? jsonRenderer(write) : plainRenderer(write, !!r.flags.verbose);
  const notice = (m: string) => render({ type: 'notice', message: m });
  const { engine, recorded } = await createEngine({
    operation: r.operation,
    answers: r.answers,
    catalog: r.catalog,
    transport: r.flags.transport ?? 'ssh',
    strictHostKeys: !!r.flags.strictHostKeys,
    onNotice: notice,
    ...(r.record ? { record: r.record } : {}),
    stateRoot: root,
    kubeconfigDir: r.flags.kubeconfigDir ?? join(homedir(), '.kube'),
    concurrency: concurrencyOf(r.flags),
    choices: { failoverDrill: !!r.flags.failoverDrill, ...r.choices },
    ...(r.departing ? { departing: r.departing } : {}),
    ...(r.context ? { context: r.context } : {}),
    ...(r.persist === false ? { persist: false, history: true } : {}),
    ...(r.writesLocal ? { writesLocal: true } : {}),
    restart: !!r.flags.restart,
    breakLock: !!r.flags.breakLock,
    command: r.command ?? 'apply',
    ...(process.stdin.isTTY && !r.record ? { confirm: askYesNo } : {}),
    ...(r.flags.installKey ? { installPublicKey: readPublicKey(r.flags.installKey) } : {}),
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
          : outcome.failure?.refused
            ? ExitCode.invalidInput
            : ExitCode.failure;
    return { outcome, code, recorded: recorded() };
  } finally {
    process.off('SIGINT', onSigint);
  }
}
