// Typed errors map to the documented exit codes. A user-facing error says what happened, where,
// and what to try next; stack traces are only for bugs.

export const ExitCode = {
  ok: 0,
  failure: 1,
  invalidInput: 2,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** One finding about input: where it is and what is wrong. */
export interface InputProblem {
  /** Field path such as `hosts[2].address`, or '' for the whole document. */
  path: string;
  message: string;
  /** 1-based position in the source file, when the input came from a file. */
  line?: number;
  col?: number;
}

export function formatProblem(p: InputProblem): string {
  const where = p.path || '(document)';
  const pos = p.line !== undefined ? ` (${p.line}:${p.col ?? 1})` : '';
  return `${where}${pos}: ${p.message}`;
}

/** Input that cannot be used: exit 2, touch nothing. */
export class InputError extends Error {
  readonly exitCode = ExitCode.invalidInput;
  constructor(
    readonly source: string,
    readonly problems: InputProblem[],
    readonly hint?: string,
  ) {
    super(`${source}: ${problems.length} problem(s)`);
  }
}

/** Wrong command-line use: exit 2. */
export class UsageError extends Error {
  readonly exitCode = ExitCode.invalidInput;
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** Something failed while doing the work (a host, a step, a file): exit 1. */
export class RuntimeError extends Error {
  readonly exitCode = ExitCode.failure;
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

export class InterruptedError extends Error {
  readonly exitCode = ExitCode.interrupted;
  constructor(message = 'interrupted') {
    super(message);
  }
}

export type UserError = InputError | UsageError | RuntimeError | InterruptedError;

export function isUserError(e: unknown): e is UserError {
  return (
    e instanceof InputError ||
    e instanceof UsageError ||
    e instanceof RuntimeError ||
    e instanceof InterruptedError
  );
}

/** The text a user sees for an expected error (no stack). */
export function describeUserError(e: UserError): string {
  const lines: string[] = [];
  if (e instanceof InputError) {
    lines.push(`${e.source} is not valid:`);
    for (const p of e.problems) lines.push(`  ${formatProblem(p)}`);
  } else {
    lines.push(`error: ${e.message}`);
  }
  if ('hint' in e && e.hint) lines.push(`hint: ${e.hint}`);
  return lines.join('\n');
}
