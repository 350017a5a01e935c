// npm run bench:scale — installs of 5, 25, 50 and 103 nodes (3 control planes each) in the lab: wall
// time, the wizard's peak memory, and how the time grows with the node count.
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { labDown, labUp } from '../test/lab/lab.js';
import { installInLab, prepareInstallBench } from './lab-install.js';

prepareInstallBench();
const rows: { nodes: number; s: number; mib: number }[] = [];
// BENCH_SCALE_WORKERS=100: one size only (a quick look at the largest).
const sizes = process.env.BENCH_SCALE_WORKERS ? [Number(process.env.BENCH_SCALE_WORKERS)] : [2, 22, 47, 100];
for (const workers of sizes) {
  const state = await labUp({ masters: 3, workers });
  try {
    const r = installInLab(state, `scale-${workers}`);
    if (r.code !== 0) {
      // The run's logs outlive the lab (lab down removes its directory).
      const kept = `.bench/failed-scale-${state.hosts.length}`;
      cpSync(join(r.stateDir, 'clusters'), kept, { recursive: true });
      console.error(`the run's logs: ${kept}`);
      throw new Error(
        `install of ${state.hosts.length} nodes failed (exit ${r.code}); it printed:\n${r.tail}`,
      );
    }
    rows.push({ nodes: state.hosts.length, s: r.ms / 1000, mib: r.rssMiB });
    console.log(
      `scale: ${state.hosts.length} nodes installed in ${(r.ms / 1000).toFixed(1)} s, wizard peak memory ${r.rssMiB.toFixed(0)} MiB`,
    );
  } finally {
    await labDown(state.dir);
  }
}
const base = rows[0]!;
console.log(
  `scale: growth from ${base.nodes} nodes: ${rows.map((r) => `${r.nodes} nodes ${(r.s / base.s).toFixed(1)}× (${(r.s / r.nodes).toFixed(2)} s/node)`).join(', ')}`,
);
