// Variations of the install: the non-root `ops` user with password login and sudo (password from an
// environment variable), plan through a bastion, and an all-Ubuntu lab of 3 masters + 12 workers.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { privilegedOrSkip } from '../helpers/root.js';
import { apply, initCount, kubectlNodes, workspace } from './install.js';
import { spawnSync } from 'node:child_process';
import { CLI } from '../helpers/cli.js';
import { labDown, labExec, labUp, wsArgv } from './lab.js';

const run = privilegedOrSkip('install variation tests');

function allLogs(dir: string): string {
  let text = '';
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) text += readFileSync(join(e.parentPath, e.name), 'utf8');
  return text;
}

describe.runIf(run)('install variations', () => {
  it(
    'installs as ops with sudo, the password coming from an environment variable',
    { timeout: 240_000 },
    async () => {
      const s = await labUp();
      try {
        const password = readFileSync(s.opsPasswordPath, 'utf8').trim();
        const ws = workspace(s, 'ops', (a) => {
          a.ssh = { user: 'ops', port: 22, passwordEnv: 'K8SHA_LAB_OPS_PASSWORD' };
        });
        const missing = await apply(ws);
        expect(missing.code, 'an unset password variable is bad input').toBe(2);
        expect(missing.stderr).toMatch(/K8SHA_LAB_OPS_PASSWORD.*not set/);
        const r = await apply(ws, { env: { K8SHA_LAB_OPS_PASSWORD: password } });
        expect(r.code, r.stdout.slice(-2000)).toBe(0);
        expect(kubectlNodes(s, ws).filter((n) => n.ready)).toHaveLength(5);
        expect(
          labExec(
            s,
            'master02',
            'test -f /home/ops/.kube/config && stat -c %U /home/ops/.kube/config',
          ).stdout.trim(),
        ).toBe('ops');
        expect(allLogs(ws.stateDir).includes(password)).toBe(false);
        expect(r.stdout.includes(password)).toBe(false);
      } finally {
        await labDown(s.dir);
      }
    },
  );

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

  // More workers than --concurrency: they join in waves. (bench:scale installs up to 103 nodes.)
  it(
    'installs 3 masters and 12 workers on Ubuntu-like hosts, 6 at a time',
    { timeout: 300_000 },
    async () => {
      const s = await labUp({ masters: 3, workers: 12, os: 'ubuntu' });
      try {
        const ws = workspace(s, 'big');
        const r = await apply(ws, { extra: ['--concurrency', '6'] });
        expect(r.code, r.stdout.slice(-2000)).toBe(0);
        const nodes = kubectlNodes(s, ws);
        expect(nodes).toHaveLength(15);
        expect(nodes.every((n) => n.ready)).toBe(true);
        expect(initCount(s)).toBe(1);
        process.stderr.write(`3 masters + 12 workers installed in ${r.ms} ms\n`);
      } finally {
        await labDown(s.dir);
      }
    },
  );
});
