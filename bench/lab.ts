// npm run bench:lab — time `lab up` for the seed topology and for 3 masters + 50 workers, and the
// memory each simulated host costs. Targets: under 10 s and under 60 s. Needs root.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { labDown, labUp } from '../test/lab/lab.js';
import { nsName } from '../test/lab/topology.js';

function rssKiB(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

function hostMemoryKiB(host: string): number {
  const pids = spawnSync('ip', ['netns', 'pids', nsName(host)], { encoding: 'utf8' })
    .stdout.split(/\s+/)
    .filter(Boolean)
    .map(Number);
  return pids.reduce((sum, p) => sum + rssKiB(p), 0);
}

function diskKiB(dir: string): number {
  return Number(spawnSync('du', ['-sk', dir], { encoding: 'utf8' }).stdout.split(/\s+/)[0] ?? 0);
}

if (process.getuid?.() !== 0) {
  console.error('bench:lab needs root (network namespaces)');
  process.exit(1);
}
for (const [masters, workers, target] of [
  [3, 2, 10],
  [3, 50, 60],
] as const) {
  const t0 = performance.now();
  const state = await labUp({ masters, workers });
  const seconds = (performance.now() - t0) / 1000;
  const mem = state.hosts.map((h) => hostMemoryKiB(h.name));
  const disk = state.hosts.map((h) => diskKiB(h.dir));
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(
    `lab up ${masters} masters + ${workers} workers (${state.hosts.length} hosts): ${seconds.toFixed(2)} s (target < ${target} s); ` +
      `memory per host ${(avg(mem) / 1024).toFixed(1)} MiB RSS (max ${(Math.max(...mem) / 1024).toFixed(1)}), overlay files per host ${(avg(disk) / 1024).toFixed(1)} MiB`,
  );
  const t1 = performance.now();
  await labDown(state.dir);
  console.log(`  lab down: ${((performance.now() - t1) / 1000).toFixed(2)} s`);
}
