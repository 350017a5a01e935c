// Many read-only commands in one round trip: each runs in its own subshell (stdin closed, stderr
// dropped) and is followed by a marker line with its exit code, so the output splits back exactly.
// Reads of one kind (files' state, package queries) are joined into one command (joined-read.ts).
import { randomBytes } from 'node:crypto';
import type { ExecResult } from '../transport/types.js';
import { fileStates } from './file-state.js';
import type { Joiner } from './joined-read.js';
import { dpkgQueries, rpmQueries } from './package-query.js';

const JOINERS: Joiner[] = [fileStates, rpmQueries, dpkgQueries];

export interface Batch {
  script: string;
  /** Each command's result, at its index; undefined for those a batch cut short did not reach. */
  split(stdout: string, durationMs: number): (ExecResult | undefined)[];
}

/** A command the batch runs, and which of the given commands' answers it holds. */
interface Segment {
  command: string;
  answers(r: ExecResult): { index: number; result: ExecResult | undefined }[];
}

function segments(commands: string[]): Segment[] {
  const claimed = new Set<number>();
  const joined: Segment[] = [];
  for (const j of JOINERS) {
    const members = commands
      .map((c, index) => ({ index, arg: claimed.has(index) ? undefined : j.of(c) }))
      .filter((m): m is { index: number; arg: string } => m.arg !== undefined);
    if (members.length < 2) continue;
    for (const m of members) claimed.add(m.index);
    const args = members.map((m) => m.arg);
    joined.push({
      command: j.join(args),
      answers: (r) =>
        j.split(args, r.stdout, r.durationMs).map((result, k) => ({ index: members[k]!.index, result })),
    });
  }
  const alone = commands
    .map((command, index) => ({ command, index }))
    .filter((c) => !claimed.has(c.index))
    .map(({ command, index }) => ({ command, answers: (r: ExecResult) => [{ index, result: r }] }));
  return [...joined, ...alone];
}

export function batch(commands: string[]): Batch {
  const nonce = `__k8sha_${randomBytes(6).toString('hex')}`;
  const parts = segments(commands);
  const script = parts
    .map((p, i) => `( ${p.command}\n) </dev/null 2>/dev/null; printf '\\n${nonce} ${i} %d\\n' "$?"`)
    .join('\n');
  return {
    script,
    split(stdout, durationMs) {
      const out: (ExecResult | undefined)[] = commands.map(() => undefined);
      let rest = stdout;
      for (let i = 0; i < parts.length; i++) {
        const m = new RegExp(`\\n${nonce} ${i} (\\d+)\\n`).exec(rest);
        // Cut short (a timeout, a lost connection): the remaining reads run on their own.
        if (!m) break;
        const r = { code: Number(m[1]), stdout: rest.slice(0, m.index), stderr: '', durationMs };
        for (const a of parts[i]!.answers(r)) out[a.index] = a.result;
        rest = rest.slice(m.index + m[0].length);
      }
      return out;
    },
  };
}
