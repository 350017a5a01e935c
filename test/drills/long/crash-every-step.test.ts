// Long drill (npm run drills): kill -9 the wizard at every step boundary of the seed install in
// turn, and in the middle of long steps. Each time the next apply completes the cluster, and
// kubeadm init has run exactly once.
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../src/steps/engine/events.js';
import { ALL_STEPS } from '../../../src/steps/index.js';
import { privilegedOrSkip } from '../../helpers/root.js';
import { apply, initCount, kubectlNodes, workspace } from '../../lab/install.js';
import { labDown, labUp } from '../../lab/lab.js';

// Every step of a default seed install, in order: the failover drill is opt-in, and the kube-vip step
// belongs to the other load-balancer mode (the crash-and-resume lab test kills a kube-vip install).
const STEPS = [
  'gather-facts',
  ...ALL_STEPS.map((s) => s.id).filter((id) => id !== 'failover-drill' && id !== 'kube-vip'),
];
type Kill = (e: EngineEvent) => number | undefined;
const POINTS: [string, Kill][] = [
  ...STEPS.map((step): [string, Kill] => [
    `after the first ${step} finished`,
    (e) => (e.type === 'step-finished' && e.step === step ? 0 : undefined),
  ]),
  [
    'in the middle of the package installs',
    (e) =>
      e.type === 'output-line' && e.stream === 'command' && /^(dnf|apt-get) install/.test(e.line)
        ? 30
        : undefined,
  ],
  [
    'in the middle of kubeadm init',
    (e) =>
      e.type === 'output-line' && e.stream === 'command' && /^kubeadm init --config/.test(e.line)
        ? 500
        : undefined,
  ],
  [
    'in the middle of a control-plane join',
    (e) =>
      e.type === 'output-line' &&
      e.stream === 'command' &&
      /^kubeadm join/.test(e.line) &&
      /^master/.test(e.node)
        ? 400
        : undefined,
  ],
];

const run = privilegedOrSkip('crash at every step drill');
const results: string[] = [];

describe.runIf(run)('kill -9 at every step boundary', () => {
  for (const [name, killWhen] of POINTS) {
    it(`recovers after kill -9 ${name}`, { timeout: 300_000 }, async () => {
      const s = await labUp();
      try {
        // With the etcd backup timer, so its step (off by default) has a boundary to kill at too.
        const ws = workspace(s, 'crash', (a) => {
          a.system = { ...(a.system as object), etcdBackup: { schedule: 'daily', keep: 7 } };
        });
        const crashed = await apply(ws, { killWhen });
        const resumed = await apply(ws);
        const ok =
          crashed.code === 137 &&
          resumed.code === 0 &&
          initCount(s) === 1 &&
          kubectlNodes(s, ws).filter((n) => n.ready).length === 5;
        results.push(`${ok ? 'passed' : 'FAILED'}: ${name} (crash exit ${crashed.code})`);
        expect(crashed.code, 'the wizard was killed').toBe(137);
        expect(resumed.code, resumed.stdout.slice(-1500)).toBe(0);
        expect(initCount(s)).toBe(1);
        expect(kubectlNodes(s, ws).filter((n) => n.ready)).toHaveLength(5);
      } finally {
        await labDown(s.dir);
      }
    });
  }
  it('reports', () => {
    process.stderr.write(
      `crash drill: ${results.filter((r) => r.startsWith('passed')).length}/${POINTS.length} points passed\n${results.join('\n')}\n`,
    );
  });
});
