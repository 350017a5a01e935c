// A destructive command says what will be lost and asks first: y/N, or the cluster's name for a
// reset. Without a terminal it needs --yes, and refuses (exit 2) before any host is touched.
import { UsageError } from '../errors.js';

async function ask(question: string): Promise<string> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

/** True to go on. `typed`: the answer the operator must type (the cluster name), else y/yes. */
export async function confirmLoss(
  what: string[],
  opts: { yes?: boolean; command: string; typed?: string },
): Promise<boolean> {
  if (opts.yes) return true;
  if (!process.stdin.isTTY)
    throw new UsageError(
      `${opts.command} is destructive and needs a confirmation, but there is no terminal to ask on`,
      `pass --yes to run it unattended (read what it does with --dry-run first)`,
    );
  for (const l of what) process.stdout.write(`${l}\n`);
  const reply = await ask(opts.typed ? `Type the cluster name (${opts.typed}) to go on: ` : 'Go on? [y/N] ');
  const ok = opts.typed ? reply === opts.typed : /^y(es)?$/i.test(reply);
  if (!ok) process.stdout.write('nothing changed\n');
  return ok;
}

/** --drain-timeout: seconds, or a number with s, m or h. */
export function parseDuration(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const m = /^(\d+)\s*(s|m|h)?$/.exec(value.trim());
  const n = m ? Number(m[1]) * { s: 1, m: 60, h: 3600 }[(m[2] ?? 's') as 's' | 'm' | 'h'] : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 24 * 3600)
    throw new UsageError(
      `${flag} ${value} is not a duration`,
      `use seconds or a number with s, m or h, e.g. ${flag} 10m`,
    );
  return n;
}
