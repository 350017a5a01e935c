// The wizard end to end on scripted hosts: the seed's answers through every screen, review and edit,
// preview, preflight, install, done; answers saved after every screen (0600, no secrets); resume.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAnswersText } from '../../src/answers/load.js';
import { assetPath } from '../../src/package-root.js';
import { draftFromFile } from '../../src/wizard/draft-file.js';
import { exportYaml } from '../../src/wizard/export-yaml.js';
import { savedAnswersPath } from '../../src/wizard/saved-answers-path.js';
import { catalog } from '../helpers/answers.js';
import { KEY, type Screen } from '../helpers/ink.js';
import { mountWizard } from '../helpers/wizard.js';

const HOSTS: [string, string, boolean][] = [
  ['master01', '172.16.100.100', true],
  ['master02', '172.16.100.120', true],
  ['master03', '172.16.100.160', true],
  ['worker01', '172.16.100.180', false],
  ['worker02', '172.16.100.200', false],
];

/** Type the seed's answers from the Cluster screen to Review. */
export async function answerSeed(s: Screen): Promise<void> {
  await s.waitFor('Cluster name');
  await s.type('seed-cluster');
  await s.press(KEY.enter);
  await s.waitFor('Add a host');
  for (const [i, [name, address, cp]] of HOSTS.entries()) {
    if (i > 0) {
      await s.press('a');
      await s.waitFor('Add a host');
    }
    await s.type(name);
    await s.press(KEY.down);
    await s.type(address);
    const defaultCp = i < 3;
    if (cp !== defaultCp) await s.press(KEY.down, KEY.right);
    await s.press(KEY.enter);
    await s.waitFor(new RegExp(`${name}\\s+${address.replace(/\./g, '\\.')}`));
  }
  await s.press(KEY.down, KEY.down, KEY.down, KEY.down, KEY.down, KEY.down);
  await s.press(KEY.enter);
  await s.waitFor('Load balancer');
  expect(s.frame()).toMatch(/172\.16\.100\.150\/24/);
  await s.press(KEY.enter);
  await s.waitFor('Pod CIDR');
  for (let i = 0; i < 13; i++) await s.press(KEY.backspace);
  await s.type('172.30.0.0/16');
  await s.press(KEY.down);
  for (let i = 0; i < 12; i++) await s.press(KEY.backspace);
  await s.type('10.254.0.0/16');
  await s.press(KEY.enter);
  await s.waitFor('Versions and mirrors');
  await s.press(KEY.down, KEY.down, KEY.right, KEY.enter);
  await s.waitFor('SSH access');
  await s.press(KEY.down, KEY.down, KEY.down);
  await s.type('not-saved-password');
  await s.press(KEY.enter);
  await s.waitFor('Add-ons');
  await s.press(KEY.right, KEY.enter);
  await s.waitFor('Review');
}

describe('the wizard flow', () => {
  it('walks the seed through every screen, edits from Review, previews, installs and finishes', async () => {
    const h = await mountWizard();
    try {
      const s = h.screen;
      await answerSeed(s);
      expect(s.frame()).toMatch(/seed-cluster, Kubernetes 1\.36\.4/);
      expect(s.frame()).toMatch(/SSH +root@<each host>:22/);
      expect(s.frame()).toMatch(
        /haproxy \+ keepalived, VIP 172\.16\.100\.150\/24 → 172\.16\.100\.150:8443, router id 51/,
      );
      expect(s.frame()).toMatch(/pods 172\.30\.0\.0\/16, services 10\.254\.0\.0\/16/);
      expect(s.frame()).toMatch(/mirror aliyun/);
      // Saved after every screen, 0600, and no password in it.
      const file = h.saved.path;
      // Where the wizard looks, before conf has loaded, to tell a fresh start (run-wizard.tsx).
      expect(file).toBe(savedAnswersPath(join(h.dir, 'config')));
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readFileSync(file, 'utf8')).not.toMatch(/not-saved-password/);
      expect(h.saved.load()?.draft.cluster.name).toBe('seed-cluster');
      // Edit the network from Review and come back to Review.
      await s.press(KEY.down, KEY.down, KEY.down, KEY.down, KEY.enter);
      await s.waitFor('Pod CIDR');
      // The default nftables, changed to the seed's ipvs (the next choice).
      await s.press(KEY.down, KEY.down, KEY.down, KEY.right, KEY.enter);
      await s.waitFor('Review');
      expect(s.frame()).toMatch(/kube-proxy ipvs/);
      // Preview: a node, a file, its content; secrets hidden.
      await s.press(KEY.enter); // "Continue" is the first item
      await s.waitFor('Preview');
      await s.press(KEY.down, KEY.down, KEY.enter);
      await s.waitFor('Preview · master01');
      await s.waitFor('/etc/kubernetes/kubeadm-config.yaml');
      for (let i = 0; i < 11; i++) await s.press(KEY.down);
      await s.press(KEY.enter);
      await s.waitFor(/controlPlaneEndpoint: 172\.16\.100\.150:8443|token: ••••••••/);
      expect(s.frame()).toMatch(/secret values hidden/);
      await s.press(KEY.esc, KEY.esc);
      await s.waitFor('Continue: check the hosts');
      await s.press(KEY.enter);
      // Preflight on the scripted hosts, then the install.
      await s.waitFor(/All nodes passed/, 10_000);
      await s.press(KEY.enter);
      await s.waitFor('Done: the cluster is ready', 30_000);
      expect(s.seen(/Install seed-cluster/)).toBe(true);
      expect(s.seen(/NODE\s+prepare\s+runtime\s+packages\s+LB\s+init\/join\s+CNI\s+verify/)).toBe(true);
      expect(s.frame()).toMatch(/master01 : ok=\d+ changed=\d+ unreachable=0 failed=0 skipped=0/);
      expect(s.frame()).toMatch(/kubectl --kubeconfig .*seed-cluster\.conf get nodes/);
      expect(s.frame()).toMatch(/k8sha-wizard export/);
      await s.press(KEY.enter);
      expect(h.exitCode()).toBe(0);
      // The export round-trips through the same loader `apply --answers` uses.
      const yaml = exportYaml(h.saved.load()!.draft);
      expect(yaml).toMatch(/^# yaml-language-server: \$schema=/);
      const a = parseAnswersText(yaml, 'export.yaml', catalog);
      expect(a.network.proxyMode).toBe('ipvs');
      expect(a.hosts).toHaveLength(5);
      expect(yaml).not.toMatch(/not-saved-password/);
    } finally {
      h.screen.unmount();
      h.cleanup();
    }
  }, 90_000);

  it('starts prefilled next time, and offers to continue an unfinished install', async () => {
    const state = new Map<string, Set<string>>();
    const first = await mountWizard({
      state,
      faults: [{ host: 'worker02', match: /^kubeadm join/, times: Infinity }],
    });
    const s = first.screen;
    try {
      await answerSeed(s);
      await s.press(KEY.enter);
      await s.waitFor('Continue: check the hosts');
      await s.press(KEY.enter);
      await s.waitFor(/All nodes passed/, 10_000);
      await s.press(KEY.enter);
      await s.waitFor(/failed on worker02/, 30_000);
      await s.press(KEY.down, KEY.down, KEY.enter); // Abort
      await s.waitFor('Stopped', 10_000);
      s.unmount();
      const again = await mountWizard({ state, latencyMs: 3 }, { dir: first.dir });
      await again.screen.waitFor('Welcome back');
      expect(again.screen.frame()).toMatch(
        /Continue the unfinished run of seed-cluster: \d+\/\d+ steps done; worker02 failed at join-worker/,
      );
      await again.screen.press(KEY.enter);
      await again.screen.waitFor(/All nodes passed/, 10_000);
      await again.screen.press(KEY.enter);
      await again.screen.waitFor('Done: the cluster is ready', 30_000);
      expect(again.screen.seen(/resuming run \S+ \(resume #1\)/), again.screen.frame()).toBe(true);
      again.screen.unmount();

      // The cluster is installed: the Start screen offers the day-2 operations. A removal says what
      // is lost and changes nothing when declined; a reset wants the cluster's name typed out.
      const third = await mountWizard({ state, latencyMs: 1 }, { dir: first.dir });
      const t = third.screen;
      await t.waitFor('Welcome back');
      for (const item of [
        'Cluster status (read-only)',
        'Upgrade to Kubernetes 1.37',
        'Back up etcd and the PKI',
        'Add nodes',
        'Remove a node…',
        'Reset the cluster (destroys it)',
      ])
        expect(t.frame(), item).toContain(item);
      await t.choose('Remove a node…');
      await t.waitFor('Remove a node');
      await t.choose('worker02 (worker)');
      await t.waitFor(/its pods are evicted/);
      expect(t.frame()).toMatch(/Go on\? \[y\/N\]/);
      await t.press('n');
      await t.waitFor('Welcome back');
      await t.choose('Reset the cluster (destroys it)');
      await t.waitFor(/Type the cluster name \(seed-cluster\)/);
      await t.type('wrong-name');
      await t.press(KEY.enter);
      await t.waitFor('Welcome back');
      expect(third.saved.load()?.draft.hosts.map((h) => h.name)).toContain('worker02');

      // Adding nodes: the Hosts screen marks a host that joins on the next apply, and names a member
      // that left the list (apply leaves it running).
      await t.choose('Add nodes (edit the hosts, then install them)');
      await t.waitFor(/worker02\s+172\.16\.100\.200/);
      expect(t.frame()).not.toMatch(/\+ new/);
      await t.press('a');
      await t.waitFor('Add a host');
      await t.type('worker03');
      await t.press(KEY.down);
      await t.type('172.16.100.210');
      await t.press(KEY.enter);
      await t.waitFor(/worker03\s+172\.16\.100\.210\s+worker\s+\+ new: joins on apply/);
      expect(t.frame()).not.toMatch(/worker02.*\+ new/);
      await t.press(KEY.up, 'd');
      await t.waitFor(/In the cluster but not in this list: worker02\. Apply leaves it/);
      t.unmount();
    } finally {
      first.cleanup();
    }
  }, 120_000);

  it('opens an answers file on the Review screen (k8sha-wizard --answers FILE), and goes on from there', async () => {
    const loaded = draftFromFile(assetPath('examples/seed-cluster.yaml'), catalog);
    const w = await mountWizard({ latencyMs: 1 }, { loaded });
    try {
      const s = w.screen;
      await s.waitFor('Review');
      expect(s.frame()).toMatch(/the answers are valid/);
      expect(s.frame()).toMatch(/seed-cluster/);
      expect(s.frame()).toMatch(/172\.16\.100\.150/);
      await s.press(KEY.enter);
      await s.waitFor('Continue: check the hosts');
      s.unmount();
    } finally {
      w.cleanup();
    }
  }, 60_000);
});
