// npm run bench:install — in the lab (needs root):
//  - the engine's overhead on the seed install: wall time minus the time spent inside remote commands
//    on the critical path (target: under 5% or under 2 s);
//  - the wizard's peak memory installing 3 masters + 50 workers (target: under 200 MB).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { labDown, labUp } from '../test/lab/lab.js';
import { installInLab, prepareInstallBench } from './lab-install.js';
import { CLUSTER_SEQUENCE, NODE_PIPELINE } from '../src/steps/index.js';

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

prepareInstallBench();

const seed = await labUp();
try {
  const first = installInLab(seed, 'seed');
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
  const rerun = installInLab(seed, 'seed');
  console.log(
    `  rerun (nothing to change): ${(rerun.ms / 1000).toFixed(1)} s = ${((rerun.ms / first.ms) * 100).toFixed(0)}% of the first run`,
  );
} finally {
  await labDown(seed.dir);
}

const big = await labUp({ masters: 3, workers: 50 });
try {
  const r = installInLab(big, 'big');
  if (r.code !== 0) throw new Error(`3+50 install failed (exit ${r.code})`);
  console.log(
    `3 masters + 50 workers: wall ${(r.ms / 1000).toFixed(1)} s, peak memory of the wizard ${r.rssMiB.toFixed(0)} MiB (target: under 200 MB)`,
  );
} finally {
  await labDown(big.dir);
}
