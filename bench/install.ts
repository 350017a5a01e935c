// npm run bench:install — in the lab (needs root):
//  - the engine's overhead on the seed install: wall time minus the time spent inside remote commands
//    on the critical path (target: under 5% or under 2 s);
//  - the wizard's peak memory installing 3 masters + 50 workers (target: under 200 MB).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { labDown, labUp, wsArgv, type LabState } from '../test/lab/lab.js';
import { CLUSTER_SEQUENCE, NODE_PIPELINE } from '../src/steps/index.js';

const CLI = resolve('dist/cli.js');
const RSS_HOOK = resolve('.bench/report-rss.cjs');

function install(
  state: LabState,
  name: string,
): { ms: number; code: number; stateDir: string; rssMiB: number } {
  const dir = join(state.dir, 'bench', name);
  mkdirSync(dir, { recursive: true });
  const started = Date.now();
  const [cmd, ...args] = wsArgv([
    process.execPath,
    '--require',
    RSS_HOOK,
    CLI,
    'apply',
    '--answers',
    state.answersPath,
    '--yes',
    '--output',
    'json',
    '--state-dir',
    join(dir, 'state'),
    '--kubeconfig-dir',
    join(dir, 'kube'),
  ]);
  const r = spawnSync(cmd!, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const rss = /k8sha-bench-max-rss-kib=(\d+)/.exec(r.stderr)?.[1];
  return {
    ms: Date.now() - started,
    code: r.status ?? -1,
    stateDir: join(dir, 'state'),
    rssMiB: Number(rss ?? 0) / 1024,
  };
}

/** Remote time per (node, step), from the run logs' "=> exit N (D ms)" lines. */
function remoteTimes(stateDir: string): Map<string, Map<string, number>> {
  const logs = join(stateDir, 'clusters', 'seed-cluster', 'logs');
  const run = readdirSync(logs)[0]!;
  const out = new Map<string, Map<string, number>>();
  for (const f of readdirSync(join(logs, run))) {
    const node = f.replace(/\.log$/, '');
    const steps = new Map<string, number>();
    for (const line of readFileSync(join(logs, run, f), 'utf8').split('\n')) {
      const m = /\[([\w-]+)\]\s+=> exit -?\d+ \((\d+) ms\)/.exec(line);
      if (m) steps.set(m[1]!, (steps.get(m[1]!) ?? 0) + Number(m[2]));
    }
    out.set(node, steps);
  }
  return out;
}

function criticalPath(times: Map<string, Map<string, number>>): number {
  const t = (node: string, step: string) => times.get(node)?.get(step) ?? 0;
  const nodes = [...times.keys()];
  const sumOver = (step: string) => nodes.reduce((s, n) => s + t(n, step), 0);
  let total = Math.max(...nodes.map((n) => t(n, 'gather-facts')));
  total += Math.max(...nodes.map((n) => NODE_PIPELINE.reduce((s, st) => s + t(n, st.id), 0)));
  for (const st of CLUSTER_SEQUENCE) {
    if (st.id === 'join-worker') total += Math.max(0, ...nodes.map((n) => t(n, st.id)));
    else total += sumOver(st.id); // cluster steps and the serial control-plane joins
  }
  return total;
}

if (process.getuid?.() !== 0) {
  console.error('bench:install needs root (it runs the lab)');
  process.exit(1);
}
if (spawnSync('test', ['-f', CLI]).status !== 0) spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
mkdirSync('.bench', { recursive: true });
writeFileSync(
  RSS_HOOK,
  "process.on('exit', () => process.stderr.write(`k8sha-bench-max-rss-kib=${process.resourceUsage().maxRSS}\\n`));\n",
);

const seed = await labUp();
try {
  const first = install(seed, 'seed');
  if (first.code !== 0) throw new Error(`seed install failed (exit ${first.code})`);
  const remote = criticalPath(remoteTimes(first.stateDir));
  const overhead = first.ms - remote;
  console.log(
    `seed install (5 nodes): wall ${(first.ms / 1000).toFixed(1)} s, remote commands on the critical path ${(remote / 1000).toFixed(1)} s`,
  );
  console.log(
    `  engine overhead: ${(overhead / 1000).toFixed(2)} s = ${((overhead / first.ms) * 100).toFixed(1)}% of the wall time (target: under 5% or under 2 s); remote time counts commands, SFTP uploads and SSH handshakes; the CLI start-up and exit are overhead`,
  );
  console.log(`  peak memory of the wizard: ${first.rssMiB.toFixed(0)} MiB`);
  const rerun = install(seed, 'seed');
  console.log(
    `  rerun (nothing to change): ${(rerun.ms / 1000).toFixed(1)} s = ${((rerun.ms / first.ms) * 100).toFixed(0)}% of the first run`,
  );
} finally {
  await labDown(seed.dir);
}

const big = await labUp({ masters: 3, workers: 50 });
try {
  const r = install(big, 'big');
  if (r.code !== 0) throw new Error(`3+50 install failed (exit ${r.code})`);
  console.log(
    `3 masters + 50 workers: wall ${(r.ms / 1000).toFixed(1)} s, peak memory of the wizard ${r.rssMiB.toFixed(0)} MiB (target: under 200 MB)`,
  );
} finally {
  await labDown(big.dir);
}
