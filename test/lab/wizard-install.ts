// The wizard's install in a real terminal (tmux) with one failure an operator fixes by hand: swap
// turned back on on a worker after the tool turned it off (as configuration management might). The
// join fails, the failure box says what to do, the test does it and chooses Retry. Every sample of
// the screen from the grid to the Done screen must start with the title and fit the terminal's width.
import { join } from 'node:path';
import { expect } from 'vitest';
import { CLI } from '../helpers/cli.js';
import type { Workspace } from './install.js';
import { labExec, wsArgv, type LabState } from './lab.js';
import { pause, Tmux } from './tmux.js';

export const TITLE_LINE = /^k8sha-wizard · /;

/** Swap on again on `node` (an fstab line and swapon -a) once its packages are installed. */
export async function swapBackOnAfterPackages(s: LabState, node: string, timeoutMs = 180_000): Promise<void> {
  const start = Date.now();
  while (labExec(s, node, 'grep -q kubeadm /var/lib/k8sha-lab/packages.json').code !== 0) {
    if (Date.now() - start > timeoutMs) throw new Error(`${node} never got its Kubernetes packages`);
    await pause(300);
  }
  const r = labExec(s, node, "echo '/swap.img none swap sw 0 0' >> /etc/fstab && swapon -a");
  if (r.code !== 0) throw new Error(`cannot turn swap on on ${node}: ${r.stderr}`);
}

/** What the failure box told the operator to do about swap, done by hand. */
export function swapOffByHand(s: LabState, node: string): void {
  const r = labExec(s, node, "swapoff -a && sed -i '/^\\/swap.img /s/^/# /' /etc/fstab");
  if (r.code !== 0) throw new Error(`cannot turn swap off on ${node}: ${r.stderr}`);
}

/**
 * While the install runs in `t`: break `node` with swap, wait for the failure box to name the fix,
 * fix it and Retry, then wait for the Done screen. Returns the Done screen and the frame samples.
 */
export async function installWithSwapFailure(
  s: LabState,
  t: Tmux,
  node: string,
  cols: number,
): Promise<{ done: string; samples: number }> {
  const frame = t.watchFrame(cols, TITLE_LINE);
  const broken = swapBackOnAfterPackages(s, node);
  const box = await t.waitFor(new RegExp(`swap is on on ${node}`), 240_000);
  await broken;
  expect(box).toMatch(/✗ .* failed on /);
  expect(box).toMatch(/Retry/);
  swapOffByHand(s, node);
  await t.press('Enter'); // Retry (the first choice)
  const done = await t.waitFor('Done: the cluster is ready', 240_000);
  const { samples, broken: bad } = frame.stop();
  expect(bad, `the frame broke ${bad.length} time(s) in ${samples} samples`).toEqual([]);
  expect(samples).toBeGreaterThan(20);
  process.stderr.write(
    `${cols} columns: ${samples} screen samples from the grid to the Done screen, the title first and no line wider in every one\n`,
  );
  return { done, samples };
}

/**
 * Install with the wizard opened on the answers file (`k8sha-wizard --answers FILE`): Review, the
 * host checks, then the install with one swap failure on `failOn`, in a `cols`×`rows` terminal.
 */
export async function wizardInstall(
  s: LabState,
  ws: Workspace,
  opts: { cols: number; rows: number; failOn: string },
): Promise<{ samples: number; ms: number }> {
  const config = join(ws.stateDir, '..', 'config');
  const cmd = `${wsArgv([
    'env',
    `K8SHA_CONFIG_DIR=${config}`,
    'TERM=xterm-256color',
    process.execPath,
    CLI,
    '--answers',
    ws.answers,
    '--state-dir',
    ws.stateDir,
    '--kubeconfig-dir',
    ws.kubeconfigDir,
  ]).join(' ')}; sleep 600`;
  const t = Tmux.start(`k8sha-wizard-${opts.cols}x${opts.rows}`, cmd, opts.cols, opts.rows);
  try {
    await t.waitFor('the answers are valid', 30_000);
    await t.press('Enter');
    await t.waitFor('Continue: check the hosts');
    await t.press('Enter');
    await t.waitFor(/t trusts all \d+/, 60_000);
    await t.press('t');
    await t.waitFor(/All nodes passed/, 60_000);
    const t0 = Date.now();
    await t.press('Enter');
    await t.waitFor(/NODE\s+prepare/, 15_000);
    const { samples } = await installWithSwapFailure(s, t, opts.failOn, opts.cols);
    const ms = Date.now() - t0;
    process.stderr.write(
      `wizard install at ${opts.cols}×${opts.rows} with a swap failure on ${opts.failOn}: ${ms} ms, ${samples} screen samples, title first and within the width in every one\n`,
    );
    return { samples, ms };
  } finally {
    t.kill();
  }
}
