// npm run bench:lab — time `lab up` for the seed topology and for 3 masters + 50 workers, and the
// memory each simulated host costs. Targets: under 10 s and under 60 s. Needs root.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { labDown, labExec, labUp } from '../test/lab/lab.js';
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

// The CPU one simulated command costs, side by side on one host: before, each command started Node
// with the whole simulator (`node sim.mjs CMD`, still available); now, the Perl client hands it to the
// host's daemon. Counted: the command's own CPU (the shell's children) plus the daemon's CPU while the
// commands ran (/proc/<pid>/stat). Target: under 20 ms.
const N = 40;
const state = await labUp({ masters: 1, workers: 0 });
try {
  const host = state.hosts[0]!.name;
  const daemonPid = Number(
    labExec(
      state,
      host,
      "ps -eo pid=,args= | awk '/sim.mjs --daemon/ && !/awk/ {print $1; exit}'",
    ).stdout.trim(),
  );
  const ticks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  const daemonCpuMs = (): number => {
    const r = labExec(state, host, `cat /proc/${daemonPid}/stat`);
    const f = r.stdout.slice(r.stdout.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) / ticks) * 1000;
  };
  const measure = (command: string): { perCommandMs: number; clientMs: number; daemonMs: number } => {
    const d0 = daemonCpuMs();
    // `times` prints the shell's children's user and system CPU after the loop.
    const r = labExec(
      state,
      host,
      `i=0; while [ $i -lt ${N} ]; do ${command} >/dev/null; i=$((i+1)); done; times`,
    );
    const d1 = daemonCpuMs();
    const lines = r.stdout.trim().split('\n');
    const [u, s] = (lines.at(-1) ?? '').split(/\s+/).map((x) => {
      const m = /(\d+)m([\d.]+)s/.exec(x);
      return m ? Number(m[1]) * 60_000 + Number(m[2]) * 1000 : 0;
    });
    const clientMs = (u! + s!) / N;
    const daemonMs = (d1 - d0) / N;
    return { perCommandMs: clientMs + daemonMs, clientMs, daemonMs };
  };
  const before = measure('/usr/bin/node /usr/local/lib/k8sha-lab/sim.mjs systemctl is-active sshd');
  const after = measure('systemctl is-active sshd');
  const fmt = (x: { perCommandMs: number; clientMs: number; daemonMs: number }) =>
    `${x.perCommandMs.toFixed(1)} ms (command ${x.clientMs.toFixed(1)} + daemon ${x.daemonMs.toFixed(1)})`;
  console.log(`CPU per simulated command (\`systemctl is-active sshd\`, ${N} runs, one host):`);
  console.log(`  before, a Node process per command: ${fmt(before)}`);
  console.log(
    `  now, Perl client + host daemon:    ${fmt(after)} (target < 20 ms); ${(before.perCommandMs / after.perCommandMs).toFixed(1)}x less`,
  );
} finally {
  await labDown(state.dir);
}
