// npm run lab -- up|down|status|exec|ws: the rehearsal lab from the command line.
import { spawnSync } from 'node:child_process';
import { execArgv, labDown, labStatus, labUp, readLabState, wsArgv } from './lab.js';
import type { OsChoice } from './topology.js';

const USAGE = `usage:
  npm run lab -- up [--masters N] [--workers N] [--os rocky|ubuntu|mixed]
  npm run lab -- down
  npm run lab -- status
  npm run lab -- exec <host> -- <command...>
  npm run lab -- ws -- <command...>        (runs in the operator namespace)`;

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function afterDashes(args: string[]): string[] {
  const i = args.indexOf('--');
  return i >= 0 ? args.slice(i + 1) : args;
}

async function main(args: string[]): Promise<number> {
  const [cmd, ...rest] = args;
  switch (cmd) {
    case 'up': {
      const os = (option(rest, '--os') ?? 'mixed') as OsChoice;
      if (!['rocky', 'ubuntu', 'mixed'].includes(os)) throw new Error('--os must be rocky, ubuntu or mixed');
      const started = Date.now();
      const state = await labUp({
        masters: Number(option(rest, '--masters') ?? 3),
        workers: Number(option(rest, '--workers') ?? 2),
        os,
      });
      console.log(labStatus(state));
      console.log(
        `answers: ${state.answersPath}\nkey:     ${state.keyPath}\nup in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
      return 0;
    }
    case 'down': {
      const r = await labDown();
      console.log(`lab down: ${r.namespaces} namespace(s) removed, ${r.processes} process(es) stopped`);
      return 0;
    }
    case 'status': {
      const s = readLabState();
      console.log(s ? labStatus(s) : 'no lab is up (npm run lab -- up)');
      return s ? 0 : 1;
    }
    case 'exec': {
      const s = readLabState();
      if (!s) throw new Error('no lab is up');
      const [cmdName, ...cmdArgs] = execArgv(s, rest[0] ?? '', afterDashes(rest.slice(1)));
      return spawnSync(cmdName!, cmdArgs, { stdio: 'inherit' }).status ?? 1;
    }
    case 'ws': {
      const [cmdName, ...cmdArgs] = wsArgv(afterDashes(rest));
      return spawnSync(cmdName!, cmdArgs, { stdio: 'inherit' }).status ?? 1;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  console.error(`lab: ${(e as Error).message}`);
  process.exitCode = 1;
}
