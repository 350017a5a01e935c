// Variations of the install: plan through a bastion, and an all-Ubuntu lab of 3 masters + 12 workers.
// (The non-root `ops` user with a password and sudo is the secrets drill's install.)
import { describe, expect, it } from 'vitest';
import { privilegedOrSkip } from '../helpers/root.js';
import { apply, initCount, kubectlNodes, workspace } from './install.js';
import { spawnSync } from 'node:child_process';
import { CLI } from '../helpers/cli.js';
import { labDown, labExec, labUp, wsArgv } from './lab.js';
import { labOs } from './os-matrix.js';
import { VARIATION_LAB } from './os-coverage.js';

const run = privilegedOrSkip('install variation tests');

describe.runIf(run)('install variations', () => {
  it(
    'reaches the hosts through a bastion (plan gathers facts over the jump host)',
    { timeout: 120_000 },
    async () => {
      const s = await labUp({ masters: 1, workers: 1 });
      try {
        const ws = workspace(s, 'bastion', (a) => {
          (a.ssh as Record<string, unknown>).bastion = { address: '172.16.100.100', user: 'root' };
        });
        const [cmd, ...args] = wsArgv([
          process.execPath,
          CLI,
          'plan',
          '--answers',
          ws.answers,
          '--state-dir',
          ws.stateDir,
        ]);
        const r = spawnSync(cmd!, args, { encoding: 'utf8' });
        expect(r.status, r.stderr).toBe(0);
        expect(r.stdout).toMatch(/facts gathered from the hosts/);
        expect(r.stdout).toMatch(/worker01 \(worker, debian\)/);
      } finally {
        await labDown(s.dir);
      }
    },
  );

  // More nodes than --concurrency: they are worked on in waves. (bench:scale installs up to 103 nodes.)
  it(
    'installs 3 masters and 5 workers, never more than 3 at a time, on the OS rows the seed lab does not have',
    { timeout: 300_000 },
    async () => {
      // mixed+5: Ubuntu 22.04, Rocky 10, Debian 13, AlmaLinux 9, RHEL 10 and three more; the seed lab
      // (mixed) has the other five rows of the README's table (test/answers/os-matrix.test.ts).
      const s = await labUp(VARIATION_LAB);
      try {
        const ws = workspace(s, 'big');
        const r = await apply(ws, { extra: ['--concurrency', '3'] });
        expect(r.code, r.stdout.slice(-2000)).toBe(0);
        const nodes = kubectlNodes(s, ws);
        expect(nodes).toHaveLength(8);
        expect(nodes.every((n) => n.ready)).toBe(true);
        expect(initCount(s)).toBe(1);
        // Each host is the OS it was meant to be, as the tool saw it.
        for (const h of s.hosts) {
          const os = labOs(h.os);
          expect(labExec(s, h.name, '. /etc/os-release; echo "$ID $VERSION_ID"').stdout.trim(), h.name).toBe(
            `${os.id} ${os.versionId}`,
          );
        }
        // Nodes with a step under way, event by event: the limit is reached and never passed.
        const busy = new Set<string>();
        let most = 0;
        for (const e of r.events) {
          if (e.type === 'step-started') busy.add(e.node);
          if (e.type === 'step-finished') busy.delete(e.node);
          most = Math.max(most, busy.size);
        }
        expect(most).toBe(3);
        process.stderr.write(`3 masters + 5 workers installed in ${r.ms} ms, at most ${most} at once\n`);
      } finally {
        await labDown(s.dir);
      }
    },
  );
});
