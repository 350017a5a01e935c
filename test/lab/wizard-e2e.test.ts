// End to end in a real terminal (tmux, 80×24) inside the lab's operator namespace: the built binary,
// the seed's values typed through every screen, the preview, the install to the end, then export.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';
import { requireBinary } from '../helpers/binaries.js';
import { useLab } from './fixture.js';
import { kubectlNodes, workspace } from './install.js';
import { wsArgv } from './lab.js';
import { pause, Tmux } from './tmux.js';

const { enabled, lab } = useLab('wizard end-to-end test');

describe.runIf(enabled)('the wizard in a real terminal', () => {
  it(
    'takes the seed through every screen, installs it and exports the answers',
    { timeout: 300_000 },
    async () => {
      requireBinary('tmux');
      const s = lab.state;
      const ws = workspace(s, 'wizard');
      const config = join(ws.stateDir, '..', 'config');
      const env = `K8SHA_CONFIG_DIR=${config} TERM=xterm-256color`;
      const cmd = `${wsArgv(['env', ...env.split(' '), process.execPath, CLI, '--state-dir', ws.stateDir, '--kubeconfig-dir', ws.kubeconfigDir]).join(' ')}; sleep 600`;
      const t = Tmux.start('k8sha-e2e', cmd, 80, 24);
      try {
        await t.waitFor('Cluster name');
        await t.type('seed-cluster');
        await t.press('Enter');
        const hosts: [string, string, boolean][] = [
          ['master01', '172.16.100.100', true],
          ['master02', '172.16.100.120', true],
          ['master03', '172.16.100.160', true],
          ['worker01', '172.16.100.180', false],
          ['worker02', '172.16.100.200', false],
        ];
        for (const [i, [name, address]] of hosts.entries()) {
          if (i > 0) await t.press('a');
          await t.waitFor('Add a host');
          await t.type(name);
          await t.press('Down');
          await t.type(address);
          await t.press('Enter');
          await t.waitFor(new RegExp(`${name}\\s+${address.replace(/\./g, '\\.')}`));
        }
        await t.press('Down', 'Down', 'Down', 'Down', 'Down', 'Down', 'Enter');
        await t.waitFor('VIP / prefix');
        expect(t.screen()).toMatch(/172\.16\.100\.150\/24/);
        await t.press('Enter');
        await t.waitFor('Pod CIDR');
        await t.press(...Array(13).fill('BSpace'));
        await t.type('172.30.0.0/16');
        await t.press('Down', ...Array(12).fill('BSpace'));
        await t.type('10.254.0.0/16');
        await t.press('Enter');
        await t.waitFor('Versions and mirrors');
        await t.press('Down', 'Down', 'Right', 'Enter');
        await t.waitFor('SSH access');
        await t.press('Down', 'Down');
        await t.type(s.keyPath);
        await t.press('Enter');
        await t.waitFor('Add-ons');
        await t.press('Right', 'Enter');
        await t.waitFor('Review');
        expect(t.screen()).toMatch(/the answers are valid/);
        await t.press('Enter');
        // The preview: master01's kubeadm config, then back and on.
        await t.waitFor('Continue: check the hosts');
        await t.press('Down', 'Down', 'Enter');
        await t.waitFor('Preview · master01');
        for (let i = 0; i < 11; i++) await t.press('Down');
        await t.press('Enter');
        await t.waitFor(/InitConfiguration|kubeadm init/);
        await t.press('Escape', 'Escape');
        await t.waitFor('Continue: check the hosts');
        await t.press('Enter');
        // First contact: every host's key is shown (one line each, within 80 columns) and trusted on t.
        const keys = await t.waitFor(/5 host key\(s\) seen for the first time[\s\S]*t trusts all 5/, 60_000);
        expect(keys).toMatch(/master01\s+172\.16\.100\.100\s+SHA256:\S{43}\n/);
        await t.press('t');
        await t.waitFor(/All nodes passed/, 60_000);
        await t.press('Enter');
        await t.waitFor(/NODE\s+prepare/, 15_000);
        const done = await t.waitFor('Done: the cluster is ready', 240_000);
        expect(done).toMatch(/worker02\s*: ok=\d+ changed=\d+ unreachable=0 failed=0/);
        await t.press('Enter');
        await pause(500);
        // Export, then apply --answers accepts the file unchanged.
        const out = join(ws.stateDir, '..', 'exported.yaml');
        const ex = spawnSync(process.execPath, [CLI, 'export', '--out', out], {
          env: { ...process.env, K8SHA_CONFIG_DIR: config },
          encoding: 'utf8',
        });
        expect(ex.status, ex.stderr).toBe(0);
        expect(readFileSync(out, 'utf8')).toMatch(/^# yaml-language-server: \$schema=/);
        const v = spawnSync(process.execPath, [CLI, 'validate', '--answers', out], { encoding: 'utf8' });
        expect(v.status, v.stderr).toBe(0);
        expect(kubectlNodes(s, ws).filter((n) => n.ready)).toHaveLength(5);
      } finally {
        t.kill();
      }
    },
  );
});
