// Shared by the install benchmarks: run `k8sha-wizard apply` in the lab's operator namespace and
// report its wall time and the wizard's peak memory.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { wsArgv, type LabState } from '../test/lab/lab.js';

const CLI = resolve('dist/cli.js');
const RSS_HOOK = resolve('.bench/report-rss.cjs');

export function prepareInstallBench(): void {
  if (process.getuid?.() !== 0) {
    console.error('this benchmark needs root (it runs the lab)');
    process.exit(1);
  }
  if (spawnSync('test', ['-f', CLI]).status !== 0) spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
  mkdirSync('.bench', { recursive: true });
  writeFileSync(
    RSS_HOOK,
    "process.on('exit', () => process.stderr.write(`k8sha-bench-max-rss-kib=${process.resourceUsage().maxRSS}\\n`));\n",
  );
}

export interface InstallRun {
  ms: number;
  code: number;
  stateDir: string;
  rssMiB: number;
  /** The end of what the wizard printed: why a failed install failed. */
  tail: string;
}

/** The failed steps' messages (from the JSON events) and the end of stderr: why a run failed. */
function whyFailed(stdout: string, stderr: string): string {
  const failed = stdout
    .split('\n')
    .filter((l) => l.includes('"type":"step-finished"') && l.includes('"status":"failed"'))
    .map((l) => {
      const e = JSON.parse(l) as {
        node: string;
        step: string;
        failure?: { message?: string; stderrTail?: string[] };
      };
      return `${e.node} ${e.step}: ${e.failure?.message ?? '?'}${e.failure?.stderrTail?.length ? `\n  ${e.failure.stderrTail.join('\n  ')}` : ''}`;
    });
  return [...failed.slice(0, 10), stderr.slice(-1500)].join('\n').trim();
}

export function installInLab(state: LabState, name: string): InstallRun {
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
  const r = spawnSync(cmd!, args, { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  const rss = /k8sha-bench-max-rss-kib=(\d+)/.exec(r.stderr)?.[1];
  return {
    ms: Date.now() - started,
    code: r.status ?? -1,
    stateDir: join(dir, 'state'),
    rssMiB: Number(rss ?? 0) / 1024,
    tail: whyFailed(r.stdout, r.stderr),
  };
}
