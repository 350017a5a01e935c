// npm run lab -- up|down|status|exec|ws|demo: the rehearsal lab from the command line. `demo` (what
// `sudo npm run demo` runs) is the tool on a machine with no hosts of its own: lab up, the wizard in
// the lab's operator namespace with the lab's answers on the Review screen, lab down when it exits.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CLI } from '../helpers/cli.js';
import { canUseNamespaces, isRoot } from '../helpers/root.js';
import { execArgv, labDown, labStatus, labUp, readLabState, wsArgv } from './lab.js';
import { labTopology, type OsChoice } from './topology.js';

const USAGE = `usage:
  npm run lab -- up [--masters N] [--workers N] [--os mixed|mixed+N|rocky-9|ubuntu-24.04|debian-13|…]
  npm run lab -- down
  npm run lab -- status
  npm run lab -- exec <host> -- <command...>
  npm run lab -- ws -- <command...>        (runs in the operator namespace)
  npm run lab -- demo                      (lab up, the wizard inside it, lab down)`;

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
      labTopology(1, 0, os); // an unknown --os is refused here, naming the ones the lab has
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
    case 'demo':
      return demo();
    case 'ws': {
      const [cmdName, ...cmdArgs] = wsArgv(afterDashes(rest));
      return spawnSync(cmdName!, cmdArgs, { stdio: 'inherit' }).status ?? 1;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

async function demo(): Promise<number> {
  if (!canUseNamespaces) {
    console.error(
      `demo: the lab needs network namespaces, and ${isRoot ? 'this machine does not offer them' : 'this is not root'}.\nTry: sudo npm run demo`,
    );
    return 2;
  }
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    console.error('demo: the wizard needs a terminal. Try it from an interactive shell: sudo npm run demo');
    return 2;
  }
  console.log('Bringing the lab up: 3 control planes and 2 workers in network namespaces (about 10 s)…');
  const state = await labUp({ masters: 3, workers: 2, os: 'mixed' });
  try {
    // Everything the demo writes stays in the lab's directory, away from your own saved answers.
    const runs = join(state.dir, 'runs', 'demo');
    const [cmd, ...args] = wsArgv([
      'env',
      `K8SHA_CONFIG_DIR=${join(runs, 'config')}`,
      process.execPath,
      CLI,
      '--answers',
      state.answersPath,
      '--state-dir',
      join(runs, 'state'),
      '--kubeconfig-dir',
      join(runs, 'kube'),
    ]);
    return spawnSync(cmd!, args, { stdio: 'inherit' }).status ?? 1;
  } finally {
    const r = await labDown(state.dir);
    console.log(`Lab down: ${r.namespaces} namespace(s) removed, ${r.processes} process(es) stopped.`);
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  console.error(`lab: ${(e as Error).message}`);
  process.exitCode = 1;
}
