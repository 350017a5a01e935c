// Long drill (npm run drills): cut a host's link in the middle of each phase in turn; bring it back
// after 5 s, and in another run never. Either the run recovers, or it fails naming the host and the
// step, and a later apply (link back) completes.
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../src/steps/engine/events.js';
import { privilegedOrSkip } from '../../helpers/root.js';
import { apply, initCount, kubectlNodes, workspace } from '../../lab/install.js';
import { labDown, labUp, setHostLink } from '../../lab/lab.js';

/** Which node to cut in each phase: one that is busy in it. */
const PHASES: [phase: string, node: string][] = [
  ['prepare', 'worker01'],
  ['runtime', 'worker02'],
  ['packages', 'master02'],
  ['lb', 'master03'],
  ['init', 'master01'],
  ['join', 'worker01'],
  ['cni', 'master01'],
  ['verify', 'master01'],
];

const run = privilegedOrSkip('network fault drill');
const results: string[] = [];

describe.runIf(run)('network faults in every phase', () => {
  for (const [phase, node] of PHASES) {
    for (const restore of [true, false]) {
      it(
        `${restore ? 'recovers from a 5 s cut' : 'fails clearly on a permanent cut'} of ${node} during ${phase}`,
        { timeout: 400_000 },
        async () => {
          const s = await labUp();
          try {
            const ws = workspace(s, 'faults');
            let cut = false;
            const r = await apply(ws, {
              killWhen: (e: EngineEvent) => {
                if (!cut && e.type === 'step-started' && e.phase === phase && e.node === node) {
                  cut = true;
                  setTimeout(() => setHostLink(s, node, false), 200);
                  if (restore) setTimeout(() => setHostLink(s, node, true), 5200);
                }
                return undefined;
              },
            });
            expect(cut, `the ${phase} phase ran on ${node}`).toBe(true);
            const fin = r.events.find((e) => e.type === 'run-finished');
            if (r.code !== 0) {
              // Clear failure: the message names the host and the step.
              const f = fin && fin.type === 'run-finished' ? fin.failure : undefined;
              expect(f?.node, JSON.stringify(f)).toBe(node);
              expect(f?.step).toBeTruthy();
              setHostLink(s, node, true);
              const again = await apply(ws);
              expect(again.code, again.stdout.slice(-1500)).toBe(0);
              results.push(
                `${phase}/${node}/${restore ? '5s' : 'never'}: failed naming ${f?.node} at ${f?.step}, then completed`,
              );
            } else {
              results.push(`${phase}/${node}/${restore ? '5s' : 'never'}: recovered in the same run`);
            }
            expect(initCount(s)).toBe(1);
            expect(kubectlNodes(s, ws).filter((n) => n.ready)).toHaveLength(5);
          } finally {
            await labDown(s.dir);
          }
        },
      );
    }
  }
  it('reports', () => {
    process.stderr.write(`network fault drill:\n${results.join('\n')}\n`);
  });
});
