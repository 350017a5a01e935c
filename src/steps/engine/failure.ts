// A command that failed inside a step: what ran, how it ended, the last lines it printed.

export class CommandFailed extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number,
    readonly stderrTail: string[],
    message?: string,
  ) {
    super(message ?? `\`${command}\` exited ${exitCode}`);
    this.name = 'CommandFailed';
  }
}

/** A step decided it cannot go on (e.g. a timeout waiting for the VIP); not a single command. */
export class StepError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    /**
     * False when an automatic retry would only repeat what the step already did: it waited out its
     * own timeout, or found something only the operator can change. The operator can still Retry.
     */
    readonly retryMayHelp = true,
  ) {
    super(message);
    this.name = 'StepError';
  }
}

/**
 * The operation must not happen at all (removing the last control plane, breaking etcd's quorum):
 * found before anything changed, so the command exits 2 like any other refused input.
 */
export class Refusal extends StepError {
  constructor(message: string, hint?: string) {
    super(message, hint, false);
    this.name = 'Refusal';
  }
}

export function tail(text: string, n = 8): string[] {
  return text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter(Boolean)
    .slice(-n);
}
