// kill -9 of the wizard at five points of the seed install, one after the other: each apply resumes
// the run the previous one left, goes on to the next point and is killed there; the last completes
// the cluster, and kubeadm init has run exactly once. (One install instead of five: a resume that
// lost its way at one point shows at that point, and the rest of the suite gets the time.)
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src/steps/engine/events.js';
import { privilegedOrSkip } from '../helpers/root.js';
import { apply, initCount, kubectlNodes, workspace } from './install.js';
import { labDown, labUp } from './lab.js';

type Point = [name: string, killWhen: (e: EngineEvent, seen: EngineEvent[]) => number | undefined];

const command = (e: EngineEvent, pattern: RegExp, node?: RegExp) =>
  e.type === 'output-line' && e.stream === 'command' && pattern.test(e.line) && (!node || node.test(e.node));

const POINTS: Point[] = [
  [
    'during the Kubernetes packages',
    (e) => (command(e, /^(dnf|apt-get) install .*kubeadm/) ? 50 : undefined),
  ],
  ['during kubeadm init', (e) => (command(e, /^kubeadm init --config/) ? 300 : undefined)],
  [
    'between the control-plane joins',
    (e) =>
      e.type === 'step-finished' && e.step === 'join-control-plane' && e.node === 'master02' ? 0 : undefined,
  ],
  ['during the worker joins', (e) => (command(e, /^kubeadm join --config/, /^worker/) ? 150 : undefined)],
  ['during the CNI step', (e) => (command(e, /^sh .*install-calico\.sh/) ? 50 : undefined)],
];

const run = privilegedOrSkip('crash and resume tests');

const resumed = (r: { events: EngineEvent[] }) =>
  r.events.some((e) => e.type === 'notice' && /resuming run/.test(e.message));

describe.runIf(run)('crash and resume', () => {
  it(
    `completes after kill -9 ${POINTS.map(([name]) => name).join(', then ')}`,
    { timeout: 480_000 },
    async () => {
      const s = await labUp();
      try {
        const ws = workspace(s, 'resume');
        for (const [i, [name, killWhen]] of POINTS.entries()) {
          const crashed = await apply(ws, { killWhen });
          expect(crashed.code, `the wizard should have been killed ${name}`).toBe(137);
          expect(crashed.events.some((e) => e.type === 'run-finished')).toBe(false);
          if (i > 0) expect(resumed(crashed), `the run killed ${name} resumed the earlier one`).toBe(true);
          expect(initCount(s), `kubeadm init runs after kill -9 ${name}`).toBeLessThanOrEqual(1);
        }
        const last = await apply(ws);
        const fin = last.events.find((e) => e.type === 'run-finished');
        expect(last.code, JSON.stringify(fin && 'failure' in fin ? fin.failure : fin)).toBe(0);
        expect(resumed(last)).toBe(true);
        expect(initCount(s)).toBe(1);
        const nodes = kubectlNodes(s, ws);
        expect(nodes.filter((n) => n.ready)).toHaveLength(5);
      } finally {
        await labDown(s.dir);
      }
    },
  );
});
