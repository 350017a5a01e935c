// One run of a simulated command: its argv, cwd, environment, uid, and where its output goes. The
// host's daemon serves many at once, so each handler reads "its" invocation from async context
// instead of the process globals (process.argv, process.env, process.stdout).
import { AsyncLocalStorage } from 'node:async_hooks';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface Invocation {
  argv: string[];
  cwd: string;
  env: Record<string, string | undefined>;
  uid: number;
  stdout(text: string): void;
  stderr(text: string): void;
  /** The command's stdin, read to the end (asked of the client only when a handler needs it). */
  stdin(): Promise<string>;
  /** Replace this command with a real program, as `exec` would (the client runs it). */
  passthrough(argv: string[]): never;
}

/** Thrown by passthrough(): the client execs the program; the handler stops here. */
export class Passthrough extends Error {
  constructor(readonly argv: string[]) {
    super(`exec ${argv[0]}`);
  }
}

const storage = new AsyncLocalStorage<Invocation>();

export function runInvocation<T>(inv: Invocation, fn: () => T): T {
  return storage.run(inv, fn);
}

/** Outside the daemon (one process per command): the process itself is the invocation. */
function processInvocation(): Invocation {
  return {
    argv: process.argv.slice(3),
    cwd: process.cwd(),
    env: process.env,
    uid: process.getuid?.() ?? 0,
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    stdin: async () => readFileSync(0, 'utf8'),
    passthrough: (argv) => {
      throw new Passthrough(argv);
    },
  };
}

let direct: Invocation | undefined;

export function inv(): Invocation {
  return storage.getStore() ?? (direct ??= processInvocation());
}

/** A path as the command's user meant it: relative paths start at its cwd. */
export function userPath(p: string): string {
  return resolve(inv().cwd, p);
}
