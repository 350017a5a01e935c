// npm run bench — runs every benchmark in turn and writes bench/results.md: the machine they ran on,
// then each benchmark's own output verbatim, so every number in the file can be traced to a script.
// The lab benchmarks need root; without it they are listed as not run rather than left out silently.
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { $ } from 'zx';

interface Bench {
  script: string;
  title: string;
  needsRoot: boolean;
}

const BENCHES: Bench[] = [
  { script: 'bench:ui', title: 'Start-up and the install grid', needsRoot: false },
  { script: 'bench:render', title: 'Rendering 500 nodes', needsRoot: false },
  { script: 'bench:journal', title: 'The run journal for 1000 hosts', needsRoot: false },
  { script: 'bench:lab', title: 'The lab itself', needsRoot: true },
  { script: 'bench:install', title: 'Engine overhead on the seed install', needsRoot: true },
  { script: 'bench:compare', title: 'Orchestration side by side with ansible-playbook', needsRoot: true },
  { script: 'bench:scale', title: 'Scale: 5 → 25 → 50 → 103 nodes', needsRoot: true },
];

// zx quotes each argument and, with nothrow, turns a missing tool into an exit code instead of a throw.
const $q = $({ quiet: true, nothrow: true });

async function firstLine(cmd: string, args: string[]): Promise<string> {
  const r = await $q`${cmd} ${args}`;
  // Some tools (ssh -V, keepalived --version) print their version on stderr.
  const text = `${r.stdout}${r.stderr}`.trim();
  return r.exitCode === 0 && text ? text.split('\n')[0]!.trim() : 'not installed';
}

async function machine(): Promise<string[]> {
  const cpu = cpus();
  return [
    `- date: ${new Date().toISOString()}`,
    `- kernel: ${await firstLine('uname', ['-srm'])}`,
    `- CPU: ${cpu.length} × ${cpu[0]?.model ?? 'unknown'}`,
    `- memory: ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `- node: ${process.version}`,
    `- haproxy: ${await firstLine('haproxy', ['-v'])}`,
    `- keepalived: ${await firstLine('keepalived', ['--version'])}`,
    `- ansible: ${await firstLine('ansible-playbook', ['--version'])}`,
    `- OpenSSH: ${await firstLine('ssh', ['-V'])}`,
  ];
}

const isRoot = process.getuid?.() === 0;
const only = process.argv.slice(2);
const sections: string[] = [];
let failed = 0;
for (const b of BENCHES) {
  if (only.length && !only.includes(b.script)) continue;
  if (b.needsRoot && !isRoot) {
    console.error(`!! ${b.script} NOT RUN: it needs root for the lab`);
    sections.push(`## ${b.title} (\`npm run ${b.script}\`)\n\nNot run: needs root for the lab.\n`);
    continue;
  }
  console.error(`== npm run ${b.script}`);
  const t0 = Date.now();
  // The benchmark's progress (stderr) goes straight to the terminal; its numbers (stdout) are kept.
  const r = await $({
    nothrow: true,
    quiet: true,
    stdio: ['ignore', 'pipe', 'inherit'],
  })`npm run --silent ${b.script}`;
  const out = r.stdout.replace(/^\s*> .*\n/gm, '').trim();
  process.stdout.write(`${out}\n`);
  const took = ((Date.now() - t0) / 1000).toFixed(0);
  if (r.exitCode !== 0) failed++;
  sections.push(
    `## ${b.title} (\`npm run ${b.script}\`, ${took} s${r.exitCode === 0 ? '' : `, FAILED with exit ${r.exitCode}`})\n\n\`\`\`\n${out}\n\`\`\`\n`,
  );
}

// Every benchmark prints its targets as `target: WHAT = VALUE (target GOAL) met|MISSED`; they head the file.
const targets = sections
  .flatMap((s) => s.split('\n'))
  .map((l) => /^target: (.+) = (.+) \(target (.+)\) (met|MISSED)$/.exec(l))
  .filter((m): m is RegExpExecArray => !!m)
  .map((m) => `| ${m[1]} | ${m[2]} | ${m[3]} | ${m[4]} |`);

const doc = [
  '# Benchmark results',
  '',
  '## Targets',
  '',
  '| What | Measured | Target | |',
  '| --- | --- | --- | --- |',
  ...targets,
  '',
  'Written by `npm run bench` (bench/run-all.ts). Each section is the verbatim output of one',
  'benchmark script; what each measures is described at the top of its file in `bench/`.',
  'In the lab, sshd, haproxy and keepalived are real; kubeadm, kubelet, containerd and package',
  'downloads are simulated (see docs/lab.md), so install times measure the orchestration, not Kubernetes.',
  '',
  '## Machine',
  '',
  ...(await machine()),
  '',
  ...sections,
].join('\n');
if (only.length) {
  console.error('bench: a subset was asked for, bench/results.md left as it is');
} else {
  writeFileSync('bench/results.md', doc);
  console.error('bench: wrote bench/results.md');
}
process.exit(failed ? 1 : 0);
