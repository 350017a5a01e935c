// SSH faults: a host unreachable from the start fails preflight by name with nothing changed
// anywhere; a link cut for 5 s in the middle of a step is survived.
import { describe, expect, it } from 'vitest';
import { privilegedOrSkip } from '../helpers/root.js';
import { apply, kubectlNodes, workspace } from './install.js';
import { labDown, labExec, labUp, setHostLink } from './lab.js';

const run = privilegedOrSkip('SSH fault tests');

describe.runIf(run)('SSH faults', () => {
  it(
    'fails preflight naming an unreachable host, and changes nothing on the others',
    { timeout: 180_000 },
    async () => {
      const s = await labUp();
      try {
        setHostLink(s, 'worker02', false);
        const ws = workspace(s, 'unreachable');
        const r = await apply(ws);
        expect(r.code).toBe(1);
        const fin = r.events.find((e) => e.type === 'run-finished');
        expect(fin && fin.type === 'run-finished' && fin.failure?.message).toMatch(
          /preflight failed; nothing was changed on any host:\n\s+worker02: unreachable/,
        );
        expect(r.events.some((e) => e.type === 'node-unreachable' && e.node === 'worker02')).toBe(true);
        for (const h of ['master01', 'master02', 'master03', 'worker01']) {
          const probe = labExec(
            s,
            h,
            'ls /etc/kubernetes /etc/sysctl.d/k8s.conf /run/k8sha-wizard/lock 2>/dev/null; grep -c k8sha-wizard /etc/hosts; cat /var/lib/k8sha-lab/packages.json 2>/dev/null | grep -c kube',
          );
          expect(probe.stdout.trim().split('\n'), `${h} was changed`).toEqual(['0', '0']);
        }
      } finally {
        await labDown(s.dir);
      }
    },
  );

  it('survives a 5 s cut of a host link in the middle of a step', { timeout: 240_000 }, async () => {
    // One control plane and one worker: the cut is on the worker; more hosts only cost time.
    const s = await labUp({ masters: 1, workers: 1 });
    try {
      const ws = workspace(s, 'cut');
      let cut = false;
      const r = await apply(ws, {
        killWhen: (e) => {
          if (
            !cut &&
            e.type === 'output-line' &&
            e.stream === 'command' &&
            e.node === 'worker01' &&
            /install/.test(e.line)
          ) {
            cut = true;
            setHostLink(s, 'worker01', false);
            setTimeout(() => setHostLink(s, 'worker01', true), 5000);
          }
          return undefined;
        },
      });
      expect(cut).toBe(true);
      expect(r.code, r.stdout.slice(-2000)).toBe(0);
      expect(kubectlNodes(s, ws).filter((n) => n.ready)).toHaveLength(2);
      const retried = r.events.filter((e) => e.type === 'step-retrying' && e.node === 'worker01').length;
      process.stderr.write(`link cut on worker01: run took ${r.ms} ms, ${retried} retries\n`);
    } finally {
      await labDown(s.dir);
    }
  });
});
