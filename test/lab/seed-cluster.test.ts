// The seed cluster, installed once and then put through everything that only looks at it or breaks it
// last. In order, on one lab:
// 1. the wizard in a real terminal (tmux, 80×24) inside the lab's operator namespace: the built binary,
//    the seed's values typed through every screen, the preview, the install to the end (swap turned back
//    on on worker01 half way: the failure box's fix, then Retry; the frame sampled throughout), the export;
// 2. `apply` with the exported answers: the failover drill, then a rerun that changes nothing; five
//    Ready nodes through the VIP, the kubeconfig, the certificate-renewal timer, no secret leaks;
// 3. losing a control plane: every process of master01 killed, the VIP moves, the API keeps answering.
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Secrets } from '../../src/render/types.js';
import { secretValues } from '../../src/secrets/generate.js';
import { requireBinary } from '../helpers/binaries.js';
import { CLI } from '../helpers/cli.js';
import { useLab } from './fixture.js';
import { SEED_LAB } from './os-coverage.js';
import {
  apply,
  filesUnder,
  initCount,
  kubectlNodes,
  statusesOf,
  workspace,
  type Workspace,
} from './install.js';
import { killHost, labExec, labWs, vipHolder, wsArgv } from './lab.js';
import { pause, Tmux } from './tmux.js';
import { installWithSwapFailure } from './wizard-install.js';

const { enabled, lab } = useLab('seed cluster tests', SEED_LAB);

let ws: Workspace | undefined;
let installMs = 0;
const installed = (): Workspace => {
  if (!ws) throw new Error('the wizard did not install the seed cluster (see the first test)');
  return ws;
};

describe.runIf(enabled)('the seed cluster', () => {
  it(
    'the wizard in a real terminal takes the seed through every screen, installs it and exports the answers',
    { timeout: 300_000 },
    async () => {
      requireBinary('tmux');
      const s = lab.state;
      const w = workspace(s, 'seed');
      const config = join(w.stateDir, '..', 'config');
      const env = `K8SHA_CONFIG_DIR=${config} TERM=xterm-256color`;
      const cmd = `${wsArgv(['env', ...env.split(' '), process.execPath, CLI, '--state-dir', w.stateDir, '--kubeconfig-dir', w.kubeconfigDir]).join(' ')}; sleep 600`;
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
        const t0 = Date.now();
        await t.press('Enter');
        await t.waitFor(/NODE\s+prepare/, 15_000);
        // One failure on the way (swap back on on worker01), fixed as the failure box says, then Retry;
        // the frame keeps its title on the first line and fits 80 columns at every sample.
        const { done } = await installWithSwapFailure(s, t, 'worker01', 80);
        installMs = Date.now() - t0;
        expect(done).toMatch(/worker02\s*: ok=\d+ changed=\d+ unreachable=0 failed=0/);
        // One certificate line for the cluster, from the notices of the three control planes.
        expect(done.replace(/\s+/g, ' ')).toMatch(
          /certificates expire from \d{4}-\d{2}-\d{2} \(checked on 3 control planes\)/,
        );
        await t.press('Enter');
        await pause(500);
        // Export, then apply --answers accepts the file unchanged.
        const out = join(w.stateDir, '..', 'exported.yaml');
        const ex = spawnSync(process.execPath, [CLI, 'export', '--out', out], {
          env: { ...process.env, K8SHA_CONFIG_DIR: config },
          encoding: 'utf8',
        });
        expect(ex.status, ex.stderr).toBe(0);
        expect(readFileSync(out, 'utf8')).toMatch(/^# yaml-language-server: \$schema=/);
        const v = spawnSync(process.execPath, [CLI, 'validate', '--answers', out], { encoding: 'utf8' });
        expect(v.status, v.stderr).toBe(0);
        // The real kubectl 1.35 (the test dependency, not a simulation) lists them through the VIP.
        expect(kubectlNodes(s, w).filter((n) => n.ready)).toHaveLength(5);
        const client = JSON.parse(labExec(s, 'worker01', 'kubectl version --client -o json').stdout) as {
          clientVersion: { major: string; minor: string };
        };
        expect(`${client.clientVersion.major}.${client.clientVersion.minor}`).toBe('1.35');
        expect(readFileSync(join(w.kubeconfigDir, 'seed-cluster.conf'), 'utf8')).toMatch(
          /server: https:\/\/172\.16\.100\.150:8443/,
        );
        // From here on, `apply` reads what the wizard wrote.
        copyFileSync(out, w.answers);
        ws = w;
      } finally {
        t.kill();
      }
    },
  );

  it(
    'apply with the exported answers: the failover drill, then a rerun that changes nothing; the cluster, its kubeconfig, renewal timer and secrets',
    { timeout: 300_000 },
    async () => {
      const s = lab.state;
      const w = installed();
      const drill = await apply(w, { extra: ['--failover-drill'] });
      expect(drill.code, `${drill.stderr}\n${drill.stdout.slice(-3000)}`).toBe(0);
      expect(drill.events.find((e) => e.type === 'run-finished')).toMatchObject({ status: 'completed' });
      expect(
        drill.events.some(
          (e) =>
            e.type === 'notice' &&
            /failover drill: the VIP moved from master0\d to master0\d/.test(e.message),
        ),
        JSON.stringify(
          drill.events.filter(
            (e) => e.type === 'notice' || (e.type === 'step-finished' && e.step === 'failover-drill'),
          ),
        ),
      ).toBe(true);
      expect(statusesOf(drill).failed ?? []).toEqual([]);

      const nodes = kubectlNodes(s, w);
      expect(nodes.map((n) => n.name).sort()).toEqual([
        'master01',
        'master02',
        'master03',
        'worker01',
        'worker02',
      ]);
      expect(nodes.every((n) => n.ready)).toBe(true);
      expect(
        nodes
          .filter((n) => n.controlPlane)
          .map((n) => n.name)
          .sort(),
      ).toEqual(['master01', 'master02', 'master03']);
      const kubeconfig = join(w.kubeconfigDir, 'seed-cluster.conf');
      expect(readFileSync(kubeconfig, 'utf8')).toMatch(/server: https:\/\/172\.16\.100\.150:8443/);
      expect(statSync(kubeconfig).mode & 0o777).toBe(0o600);
      expect(initCount(s)).toBe(1);

      // After the drill moved the VIP: a rerun changes nothing, and costs a fraction of the install.
      const rerun = await apply(w);
      expect(rerun.code, rerun.stderr).toBe(0);
      const st = statusesOf(rerun);
      expect(st.changed ?? [], 'a rerun must change nothing').toEqual([]);
      expect(st.failed ?? []).toEqual([]);
      expect((st.unchanged ?? []).length).toBeGreaterThan(20);
      expect(rerun.ms).toBeLessThan(installMs * 0.6);
      expect(initCount(s)).toBe(1);
      process.stderr.write(`seed install (wizard) ${installMs} ms, rerun ${rerun.ms} ms\n`);

      // The renewal timer runs on the control planes only, and its script renews for real.
      for (const h of ['master01', 'master02', 'master03', 'worker01']) {
        const t = labExec(
          s,
          h,
          'systemctl is-enabled --quiet k8s-certs-renew.timer && systemctl is-active --quiet k8s-certs-renew.timer',
        );
        expect(t.code === 0, h).toBe(h.startsWith('master'));
      }
      const serial = () =>
        labExec(
          s,
          'master01',
          'openssl x509 -noout -serial -in /etc/kubernetes/pki/apiserver.crt',
        ).stdout.trim();
      const before = serial();
      const renew = labExec(s, 'master01', '/usr/local/sbin/k8s-certs-renew.sh');
      expect(renew.code, `${renew.stdout}${renew.stderr}`).toBe(0);
      expect(renew.stdout).toMatch(/Done renewing certificates[\s\S]*CERTIFICATE AUTHORITY/);
      expect(serial()).toMatch(/^serial=/);
      expect(serial()).not.toBe(before);
      expect(kubectlNodes(s, w).every((n) => n.ready)).toBe(true);

      // Secrets appear only in the 0600 secrets file, never in logs, journal, kubeconfig, saved or
      // exported answers, known hosts or output.
      const clusterDir = join(w.stateDir, 'clusters', 'seed-cluster');
      const secrets = JSON.parse(readFileSync(join(clusterDir, 'secrets.json'), 'utf8')) as Secrets;
      expect(statSync(join(clusterDir, 'secrets.json')).mode & 0o777).toBe(0o600);
      expect(secrets.caKeyPem, 'the CA key left the operator machine after init').toBeUndefined();
      const values = secretValues(secrets);
      for (const h of s.hosts) {
        const config = labExec(s, h.name, 'cat /etc/kubernetes/kubeadm-config.yaml').stdout;
        expect(config, `${h.name}: kubeadm-config.yaml was scrubbed`).toContain('removed-after-join');
        for (const v of [secrets.bootstrapToken, secrets.certificateKey])
          expect(config.includes(v), `${h.name}: kubeadm-config.yaml holds a join secret`).toBe(false);
        // The host lock lived in a root-only directory, and is gone after the run.
        expect(labExec(s, h.name, 'stat -c %a:%u /run/k8sha-wizard').stdout.trim()).toBe('700:0');
        expect(labExec(s, h.name, 'test -e /run/k8sha-wizard/lock').code).not.toBe(0);
      }
      const written = [
        ...filesUnder(join(w.stateDir, '..')).filter((f) => !f.endsWith('secrets.json')),
        kubeconfig,
      ];
      expect(written.length).toBeGreaterThan(8);
      for (const f of written) {
        const text = readFileSync(f, 'latin1');
        for (const v of values) expect(text.includes(v), `${f} contains a secret`).toBe(false);
      }
      for (const r of [drill, rerun])
        for (const v of values) expect(r.stdout.includes(v) || r.stderr.includes(v)).toBe(false);
    },
  );

  it('keeps the API answering through the VIP when master01 dies', { timeout: 240_000 }, async () => {
    const s = lab.state;
    const w = installed();
    // master01 has the highest priority and holds the VIP once it is healthy; then kill everything on it.
    for (let i = 0; i < 150 && vipHolder(s) !== 'master01'; i++)
      await new Promise((res) => setTimeout(res, 100));
    expect(vipHolder(s)).toBe('master01');
    const t0 = Date.now();
    expect(killHost(s, 'master01')).toBeGreaterThan(3);
    let movedMs = -1;
    let answeringMs = -1;
    while (Date.now() - t0 < 30_000 && (movedMs < 0 || answeringMs < 0)) {
      const holder = vipHolder(s, 'master01');
      if (movedMs < 0 && holder) movedMs = Date.now() - t0;
      if (
        movedMs >= 0 &&
        answeringMs < 0 &&
        labWs(['curl', '-sfk', '--max-time', '2', 'https://172.16.100.150:8443/readyz']).stdout === 'ok'
      )
        answeringMs = Date.now() - t0;
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(movedMs, 'the VIP moved').toBeGreaterThan(0);
    expect(answeringMs, 'the API answered through the VIP with etcd quorum').toBeGreaterThan(0);
    // Recovered: ten requests in a row through the VIP all succeed (haproxy has marked master01 down).
    let streak = 0;
    let recoveredMs = -1;
    while (Date.now() - t0 < 60_000 && recoveredMs < 0) {
      streak =
        labWs(['curl', '-sfk', '--max-time', '3', 'https://172.16.100.150:8443/healthz']).stdout === 'ok'
          ? streak + 1
          : 0;
      if (streak >= 10) recoveredMs = Date.now() - t0;
    }
    expect(recoveredMs, 'ten requests in a row through the VIP within a minute').toBeGreaterThan(0);
    const nodes = kubectlNodes(s, w);
    expect(nodes.map((n) => n.name)).toContain('master01');
    expect(nodes).toHaveLength(5);
    process.stderr.write(
      `control plane lost: VIP moved after ${movedMs} ms, API answered through it after ${answeringMs} ms, fully recovered (10 requests in a row) after ${recoveredMs} ms\n`,
    );
  });
});
