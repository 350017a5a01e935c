// kill -9 of the wizard at five points of the seed install; each time the next apply completes the
// cluster and kubeadm init has run exactly once.
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

describe.runIf(run)('crash and resume', () => {
  for (const [name, killWhen] of POINTS) {
    it(`completes after kill -9 ${name}`, { timeout: 240_000 }, async () => {
      const s = await labUp();
      try {
        const ws = workspace(s, 'resume');
        const crashed = await apply(ws, { killWhen });
        expect(crashed.code, `the wizard should have been killed ${name}`).toBe(137);
        expect(crashed.events.some((e) => e.type === 'run-finished')).toBe(false);
        const resumed = await apply(ws);
        const fin = resumed.events.find((e) => e.type === 'run-finished');
        expect(resumed.code, JSON.stringify(fin && 'failure' in fin ? fin.failure : fin)).toBe(0);
        expect(resumed.events.some((e) => e.type === 'notice' && /resuming run/.test(e.message))).toBe(true);
        expect(initCount(s)).toBe(1);
        const nodes = kubectlNodes(s, ws);
        expect(nodes.filter((n) => n.ready)).toHaveLength(5);
      } finally {
        await labDown(s.dir);
      }
    });
  }
});
