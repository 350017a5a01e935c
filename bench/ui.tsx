// npm run bench:ui
//  1. Time from process start to the wizard's first screen (in a pseudo-terminal, via `script`),
//     beside `node -e 0` and `k8sha-wizard --version`; medians of 10 runs, interleaved. The target
//     (first frame ≤ 3× `node -e 0`) compares like with like: `node -e 0` launched through the same
//     `script` pseudo-terminal, whose own start-up (~55 ms here) is not the wizard's. The ratio against
//     a bare `node -e 0` is printed beside it.
//  2. CPU of the install grid showing 100 nodes that receive an event every 10 ms. Target: below
//     half a core.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { render } from 'ink';
import { Install } from '../src/screens/Install.js';
import type { EngineEvent, EngineListener } from '../src/steps/engine/events.js';
import { INSTALL_COLUMNS } from '../src/steps/operations/columns.js';

const CLI = resolve('dist/cli.js');
const RUNS = 10;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timeCommand(args: string[]): number {
  const t0 = process.hrtime.bigint();
  spawnSync(args[0]!, args.slice(1), { stdio: 'ignore' });
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** `node -e 0` through the same pseudo-terminal harness as the first screen. */
function timeNodeInPty(): number {
  const t0 = process.hrtime.bigint();
  spawnSync('script', ['-qfec', `${process.execPath} -e 0`, '/dev/null'], {
    env: { ...process.env, TERM: 'xterm-256color', COLUMNS: '80', LINES: '24' },
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** Spawn the wizard in a pty and wait for its first screen. */
function timeFirstScreen(config: string): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn('script', ['-qfec', `${process.execPath} ${CLI}`, '/dev/null'], {
      env: { ...process.env, K8SHA_CONFIG_DIR: config, TERM: 'xterm-256color', COLUMNS: '80', LINES: '24' },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no first screen in 10 s:\n${out}`));
    }, 10_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Cluster name')) {
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        clearTimeout(timer);
        child.kill('SIGKILL');
        resolvePromise(ms);
      }
    });
  });
}

const config = mkdtempSync(join(tmpdir(), 'k8sha-bench-ui-'));
try {
  if (spawnSync('test', ['-f', CLI]).status !== 0) throw new Error('run npm run build first');
  const nodeMs: number[] = [];
  const nodePtyMs: number[] = [];
  const versionMs: number[] = [];
  const firstMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    nodeMs.push(timeCommand([process.execPath, '-e', '0']));
    nodePtyMs.push(timeNodeInPty());
    versionMs.push(timeCommand([process.execPath, CLI, '--version']));
    firstMs.push(await timeFirstScreen(config));
  }
  const n = median(nodeMs);
  const nPty = median(nodePtyMs);
  const first = median(firstMs);
  const ratio = first / nPty;
  console.log(
    `start-up (medians of ${RUNS}, side by side): node -e 0 ${n.toFixed(0)} ms (${nPty.toFixed(0)} ms in the pseudo-terminal); k8sha-wizard --version ${median(versionMs).toFixed(0)} ms (${(median(versionMs) / n).toFixed(1)}×); first wizard screen ${first.toFixed(0)} ms in the pseudo-terminal (${ratio.toFixed(1)}× node -e 0 there; ${(first / n).toFixed(1)}× a bare node -e 0)`,
  );
  console.log(
    `target: first wizard frame / node -e 0, both in the pseudo-terminal = ${ratio.toFixed(1)}× (target ≤ 3×) ${ratio <= 3 ? 'met' : 'MISSED'}`,
  );
} finally {
  rmSync(config, { recursive: true, force: true });
}

// 2. The grid under load: 100 nodes, an event every 10 ms, for 10 s.
const NODES = 100;
const SECONDS = 10;
class FakeTty extends Writable {
  isTTY = true;
  columns = 120;
  rows = 40;
  bytes = 0;
  last = '';
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.bytes += chunk.length;
    this.last = chunk.toString();
    cb();
  }
}
const stdout = new FakeTty();
// useInput needs a raw-mode terminal on stdin; the benchmark gives it a silent one.
const stdin = Object.assign(new PassThrough(), {
  isTTY: true,
  setRawMode: () => stdin,
  ref: () => stdin,
  unref: () => stdin,
});
const nodes = Array.from({ length: NODES }, (_, i) => ({
  name: `node${String(i).padStart(3, '0')}`,
  role: i < 3 ? 'control-plane' : 'worker',
}));
const steps = INSTALL_COLUMNS.flatMap((c) => c.phases).map((phase) => ({
  id: `step-${phase}`,
  title: `step ${phase}`,
  phase,
  nodes: nodes.map((n) => n.name),
}));
let events = 0;
const start = (listener: EngineListener) => {
  listener({
    type: 'run-started',
    runId: 'bench',
    cluster: 'bench',
    operation: 'install',
    columns: INSTALL_COLUMNS,
    resumed: false,
    nodes,
    steps,
    logDir: '/tmp',
  } as EngineEvent);
  let i = 0;
  const timer = setInterval(() => {
    const node = nodes[i % NODES]!.name;
    const step = steps[Math.floor(i / NODES) % steps.length]!;
    listener(
      i % 3 === 0
        ? { type: 'step-started', node, step: step.id, title: step.title, phase: step.phase, attempt: 1 }
        : i % 3 === 1
          ? { type: 'output-line', node, step: step.id, stream: 'stdout', line: `line ${i}` }
          : {
              type: 'step-finished',
              node,
              step: step.id,
              phase: step.phase,
              status: 'changed',
              durationMs: 5,
              attempts: 1,
            },
    );
    events++;
    i++;
  }, 10);
  return { done: new Promise<never>(() => undefined), stop: () => clearInterval(timer) };
};
const app = render(
  <Install
    step="11/12"
    cluster="bench"
    columns={INSTALL_COLUMNS}
    start={start as never}
    onDone={() => undefined}
  />,
  {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    debug: false,
    patchConsole: false,
    exitOnCtrlC: false,
  },
);
await new Promise((r) => setTimeout(r, 1000)); // warm-up
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const e0 = events;
await new Promise((r) => setTimeout(r, SECONDS * 1000));
const cpu = process.cpuUsage(cpu0);
const wall = performance.now() - t0;
const cores = (cpu.user + cpu.system) / 1000 / wall;
console.log(
  `install grid: ${NODES} nodes, ${events - e0} events in ${(wall / 1000).toFixed(1)} s (one every ${(wall / (events - e0) || 0).toFixed(1)} ms): CPU ${(cores * 100).toFixed(0)}% of a core (target < 50%); ${(stdout.bytes / 1024).toFixed(0)} KiB written to the terminal`,
);
if (process.env.BENCH_DEBUG) console.log(stdout.last);
app.unmount();
process.exit(0);
