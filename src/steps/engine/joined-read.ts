// A kind of read that many commands make with different arguments, and one command can make for all
// of them: a batch runs it once and gives each read the answer its own command would have.
import type { ExecResult } from '../transport/types.js';

export interface Joiner {
  /** The argument `command` reads, when it is this kind of read and can be joined. */
  of(command: string): string | undefined;
  /** One command that reads every argument. */
  join(args: string[]): string;
  /** Each argument's answer, at its index; undefined where the joined output cannot tell. */
  split(args: string[], stdout: string, durationMs: number): (ExecResult | undefined)[];
}

export function answer(code: number, stdout: string, durationMs: number): ExecResult {
  return { code, stdout, stderr: '', durationMs };
}
