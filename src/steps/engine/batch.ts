// Many read-only commands in one round trip: each runs in its own subshell (stdin closed, stderr
// dropped) and is followed by a marker line with its exit code, so the output splits back exactly.
import { randomBytes } from 'node:crypto';
import type { ExecResult } from '../transport/types.js';

export interface Batch {
  script: string;
  split(stdout: string, durationMs: number): ExecResult[];
}

export function batch(commands: string[]): Batch {
  const nonce = `__k8sha_${randomBytes(6).toString('hex')}`;
  const script = commands
    .map((c, i) => `( ${c}\n) </dev/null 2>/dev/null; printf '\\n${nonce} ${i} %d\\n' "$?"`)
    .join('\n');
  return {
    script,
    split(stdout, durationMs) {
      const out: ExecResult[] = [];
      let rest = stdout;
      for (let i = 0; i < commands.length; i++) {
        const m = new RegExp(`\\n${nonce} ${i} (\\d+)\\n`).exec(rest);
        // Cut short (a timeout, a lost connection): the remaining reads run on their own.
        if (!m) break;
        out.push({ code: Number(m[1]), stdout: rest.slice(0, m.index), stderr: '', durationMs });
        rest = rest.slice(m.index + m[0].length);
      }
      return out;
    },
  };
}
