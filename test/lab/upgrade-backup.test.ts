// Backups, disaster recovery and upgrades in the lab, on the seed's cluster: a backup (etcd snapshot
// through etcd's API, checked; the PKI), then two of three etcd members lose their data and the
// cluster its quorum, and restore brings it back as it was at the snapshot (kill -9 mid-restore, the
// same command again). Then the cluster, installed at 1.35, is upgraded to 1.36 (a PodDisruptionBudget
// first stops the drain of a worker until --drain-timeout) and then to 1.37 (kill -9 mid-way and the
// same command again), with the API asked through the VIP throughout: every kubelet and apiserver at
// the new version, the answers file says so; a downgrade and a skipped minor are refused.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { assetPath } from '../../src/package-root.js';
import { useLab } from './fixture.js';
import { wizardInstall } from './wizard-install.js';
import { labExec, wsArgv, type LabState } from './lab.js';
import {
  apply,
  describeRun,
  ETCDCTL,
  operatorKubectl,
  whenFinished,
  whenStarted,
  guardedPodYaml,
  kubectlNodes,
  workspace,
  type Workspace,
} from './install.js';

const { enabled, lab } = useLab('upgrade, backup and restore tests');

/** A ConfigMap written through the VIP (a write the restore must keep or undo). */
function writeConfigMap(s: LabState, ws: Workspace, name: string, extra = '') {
  return operatorKubectl(
    s,
    ws,
    `apply -f - ${extra}`,
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: default\ndata:\n  k: v\n`,
  );
}

/**
 * Ask the API through the VIP every 200 ms (from the operator namespace) until stopped; then the
 * longest time between two answers. The upgrade guide's promise: the API stays up throughout.
 */
function watchApi(): { stop(): { longestGapMs: number; asked: number } } {
  const [cmd, ...args] = wsArgv([
    'sh',
    '-c',
    'while :; do t=$(date +%s%3N); if curl -sfk --max-time 1 -o /dev/null https://172.16.100.150:8443/readyz; then echo "ok $t"; else echo "no $t"; fi; sleep 0.2; done',
  ]);
  const child = spawn(cmd!, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  return {
    stop() {
      child.kill('SIGKILL');
      const samples = out
        .trim()
        .split('\n')
        .map((l) => l.split(' '))
        .filter((x) => x.length === 2)
        .map(([what, t]) => ({ ok: what === 'ok', t: Number(t) }));
      let last = samples[0]?.t ?? 0;
      let longestGapMs = 0;
      for (const s of samples) {
        if (!s.ok) continue;
        longestGapMs = Math.max(longestGapMs, s.t - last);
        last = s.t;
      }
      const end = samples.at(-1);
      if (end && !end.ok) longestGapMs = Math.max(longestGapMs, end.t - last);
      return { longestGapMs, asked: samples.length };
    },
  };
}

interface NodeItem {
  metadata: { name: string };
  spec: { unschedulable?: boolean };
  status: { nodeInfo: { kubeletVersion: string } };
}

function nodes(s: LabState, ws: Workspace): NodeItem[] {
  return (JSON.parse(operatorKubectl(s, ws, 'get nodes -o json').stdout) as { items: NodeItem[] }).items;
}

/** name=kubeletVersion of every node, sorted. */
function kubeletVersions(s: LabState, ws: Workspace): string[] {
  return nodes(s, ws)
    .map((n) => `${n.metadata.name}=${n.status.nodeInfo.kubeletVersion}`)
    .sort();
}

function everyNode(version: string): string[] {
  return ['master01', 'master02', 'master03', 'worker01', 'worker02'].map((n) => `${n}=${version}`);
}

describe.runIf(enabled)('backup, restore and upgrade in the lab', () => {
  it(
    'restores a cluster that lost quorum from its backup, and upgrades it 1.35 → 1.36 → 1.37 with a blocked drain and a resume',
    { timeout: 900_000 },
    async () => {
      const s = lab.state;
      const ws = workspace(s, 'upgrade', (a) => {
        (a.cluster as { kubernetesVersion: string }).kubernetesVersion = '1.35';
      });
      // Installed through the wizard in a 100×30 terminal, with one failure fixed by hand on the way.
      await wizardInstall(s, ws, { cols: 100, rows: 30, failOn: 'worker02' });
      expect(writeConfigMap(s, ws, 'before-backup').code).toBe(0);

      // Backup: a checked snapshot and the PKI, 0600, on the operator machine.
      const out = join(s.dir, 'runs', 'upgrade', 'backups');
      const b = await apply(ws, { command: 'backup', extra: ['--out', out] });
      expect(b.code, describeRun(b)).toBe(0);
      const snapshot = /snapshot: (\S+\.db)/.exec(b.stdout)?.[1];
      expect(snapshot, b.stdout).toBeTruthy();
      expect(statSync(snapshot!).mode & 0o777).toBe(0o600);
      expect(statSync(snapshot!).size).toBeGreaterThan(16 * 1024);
      const pki = /pki: +(\S+)/.exec(b.stdout)![1]!;
      expect(statSync(join(pki, 'ca.key')).mode & 0o777).toBe(0o600);
      expect(readFileSync(join(pki, 'SECRET.txt'), 'utf8')).toMatch(/^SECRET/);
      // etcd's own tool (on this machine, offline) accepts the snapshot: it reads the database.
      const status = spawnSync('etcdctl', ['snapshot', 'status', snapshot!, '-w', 'json'], {
        encoding: 'utf8',
        env: { ...process.env, ETCDCTL_API: '3' },
      });
      expect(status.status, status.stderr).toBe(0);
      expect(JSON.parse(status.stdout).totalKey).toBeGreaterThan(10);

      // After the backup: a change that the restore must undo.
      expect(writeConfigMap(s, ws, 'after-backup').code).toBe(0);

      // While etcd has quorum, a restore would roll a working cluster back: refused, nothing changed.
      const working = await apply(ws, { command: 'restore', extra: ['--snapshot', snapshot!] });
      expect(working.code, describeRun(working)).toBe(2);
      expect(working.stdout + working.stderr).toMatch(/etcd still has quorum[\s\S]*--force/);
      expect(operatorKubectl(s, ws, 'get configmap after-backup -n default -o name').stdout.trim()).toBe(
        'configmap/after-backup',
      );

      // Two members' databases are corrupted: their etcd cannot start, no quorum, the API refuses.
      // (A member whose data is merely gone rejoins from the leader, and etcd heals by itself: then
      // the restore rightly refuses.)
      for (const h of ['master02', 'master03'])
        labExec(
          s,
          h,
          'mv /etc/kubernetes/manifests/etcd.yaml /root/etcd.yaml; sleep 2; head -c 1048576 /dev/urandom > /var/lib/etcd/member/snap/db; mv /root/etcd.yaml /etc/kubernetes/manifests/etcd.yaml',
        );
      await new Promise((r) => setTimeout(r, 5000));
      expect(writeConfigMap(s, ws, 'during-outage').code).not.toBe(0);

      // A snapshot that is not one is refused before any host is touched.
      const bogus = join(s.dir, 'runs', 'upgrade', 'bogus.db');
      writeFileSync(bogus, Buffer.alloc(8192, 1));
      const refused = await apply(ws, { command: 'restore', extra: ['--snapshot', bogus] });
      expect(refused.code, describeRun(refused)).toBe(2);
      expect(refused.stderr).toMatch(/not an intact etcd snapshot/);

      // Restore, killed once every member's data is restored on master01, then the same command.
      const killed = await apply(ws, {
        command: 'restore',
        extra: ['--snapshot', snapshot!],
        killWhen: whenFinished('restore-data', 'master01'),
      });
      expect(killed.code, describeRun(killed)).toBe(137);
      const restored = await apply(ws, { command: 'restore', extra: ['--snapshot', snapshot!] });
      expect(restored.code, describeRun(restored)).toBe(0);
      const members = labExec(s, 'master02', `${ETCDCTL} member list`).stdout;
      expect(members.match(/, started, master0\d,/g)?.length, members).toBe(3);
      expect(operatorKubectl(s, ws, 'get configmap before-backup -n default -o name').stdout.trim()).toBe(
        'configmap/before-backup',
      );
      const after = operatorKubectl(s, ws, 'get configmap after-backup -n default -o name');
      expect(after.code).not.toBe(0);
      expect(after.stderr).toMatch(/NotFound|not found/);
      expect(kubectlNodes(s, ws).every((n) => n.ready)).toBe(true);
      // Writes work again.
      expect(writeConfigMap(s, ws, 'after-restore').code).toBe(0);

      // Refusals, before any host is changed (exit 2): 1.35 straight to 1.37 skips a minor; a version
      // the catalog does not have.
      const skipped = await apply(ws, { command: 'upgrade', extra: ['--to', '1.37'] });
      expect(skipped.code, describeRun(skipped)).toBe(2);
      expect(skipped.stderr + skipped.stdout).toMatch(/one minor at a time|skip/i);
      const unknown = await apply(ws, { command: 'upgrade', extra: ['--to', '1.99'] });
      expect(unknown.code, describeRun(unknown)).toBe(2);
      expect(kubeletVersions(s, ws)).toEqual(everyNode('v1.35.9'));

      const api = watchApi();
      // 1.35 → 1.36. A PodDisruptionBudget guards the one pod on worker01: the upgrade stops at
      // worker01's drain when --drain-timeout runs out, names the pod, and leaves worker01 cordoned.
      const guarded = operatorKubectl(s, ws, 'apply -f -', guardedPodYaml('worker01'));
      expect(guarded.code, guarded.stderr).toBe(0);
      const blocked = await apply(ws, {
        command: 'upgrade',
        extra: ['--to', '1.36', '--drain-timeout', '5s'],
      });
      expect(blocked.code, describeRun(blocked)).toBe(1);
      expect(blocked.stderr + blocked.stdout).toMatch(/worker01 did not drain within 5 s.*default\/web-1/);
      expect(operatorKubectl(s, ws, 'get node worker01 -o jsonpath={.spec.unschedulable}').stdout).toBe(
        'true',
      );
      const halfway = kubeletVersions(s, ws);
      expect(
        halfway.filter((v) => v.startsWith('master')).every((v) => v.endsWith('v1.36.4')),
        halfway.join(),
      ).toBe(true);
      expect(halfway).toContain('worker01=v1.35.9');
      // The budget goes; the same command goes on from worker01 and finishes.
      expect(operatorKubectl(s, ws, 'delete pdb web -n default').code).toBe(0);
      const to136 = await apply(ws, { command: 'upgrade', extra: ['--to', '1.36'] });
      expect(to136.code, describeRun(to136)).toBe(0);
      expect(kubeletVersions(s, ws)).toEqual(everyNode('v1.36.4'));
      expect(
        (parse(readFileSync(ws.answers, 'utf8')) as { cluster: { kubernetesVersion: string } }).cluster
          .kubernetesVersion,
      ).toBe('1.36');
      const down = await apply(ws, { command: 'upgrade', extra: ['--to', '1.35'] });
      expect(down.code, describeRun(down)).toBe(2);
      expect(down.stderr + down.stdout).toMatch(/downgrade/);

      // Upgrade 1.36 → 1.37 with a catalog whose 1.37 wants another sandbox (pause) image: each node's
      // containerd is reconfigured while it is drained. Killed while master02's kubelet is upgraded,
      // then the same command.
      const catalog = join(s.dir, 'runs', 'upgrade', 'catalog.yaml');
      writeFileSync(
        catalog,
        readFileSync(assetPath('catalog.yaml'), 'utf8').replace(
          /('1\.37':[\s\S]*?pauseImage: )pause:3\.10\.1/,
          '$1pause:3.10.2',
        ),
      );
      expect(readFileSync(catalog, 'utf8')).toMatch(/pause:3\.10\.2/);
      const withCatalog = ['--to', '1.37', '--catalog', catalog];
      const cut = await apply(ws, {
        command: 'upgrade',
        extra: withCatalog,
        killWhen: whenStarted('upgrade-kubelet', 'master02', 300),
      });
      expect(cut.code, describeRun(cut)).toBe(137);
      const up = await apply(ws, { command: 'upgrade', extra: withCatalog });
      const gap = api.stop();
      expect(up.code, describeRun(up)).toBe(0);
      process.stderr.write(
        `upgrades 1.35 → 1.36 (a blocked drain) → 1.37 (a kill -9): the API through the VIP asked ${gap.asked} times, longest without an answer ${gap.longestGapMs} ms\n`,
      );
      expect(gap.asked).toBeGreaterThan(50);
      expect(gap.longestGapMs, 'the API through the VIP answers throughout the upgrade').toBeLessThanOrEqual(
        5000,
      );
      const runtimeChanged = [...cut.events, ...up.events].flatMap((e) =>
        e.type === 'step-finished' && e.step === 'upgrade-runtime' && e.status === 'changed' ? [e.node] : [],
      );
      expect([...new Set(runtimeChanged)].sort()).toEqual([
        'master01',
        'master02',
        'master03',
        'worker01',
        'worker02',
      ]);
      for (const h of s.hosts)
        expect(
          labExec(s, h.name, 'grep -c "pause:3.10.2" /etc/containerd/config.toml').stdout.trim(),
          h.name,
        ).toBe('1');
      expect(kubeletVersions(s, ws)).toEqual(everyNode('v1.37.1'));
      expect(
        nodes(s, ws)
          .filter((n) => n.spec.unschedulable)
          .map((n) => n.metadata.name),
      ).toEqual([]);
      expect(JSON.parse(operatorKubectl(s, ws, 'version -o json').stdout).serverVersion.gitVersion).toBe(
        'v1.37.1',
      );
      for (const h of ['master01', 'master02', 'master03'])
        expect(
          labExec(
            s,
            h,
            'grep -o "kube-apiserver:v[0-9.]*" /etc/kubernetes/manifests/kube-apiserver.yaml',
          ).stdout.trim(),
        ).toBe('kube-apiserver:v1.37.1');
      expect(
        (parse(readFileSync(ws.answers, 'utf8')) as { cluster: { kubernetesVersion: string } }).cluster
          .kubernetesVersion,
      ).toBe('1.37');
      // Each upgrade's snapshot (one per upgrade, none more for the resume) stays on this machine, 0600.
      const backups = join(ws.stateDir, 'clusters', 'seed-cluster', 'backups');
      expect(existsSync(backups)).toBe(true);
      const pre = readdirSync(backups).filter((f) => /pre-upgrade.*\.db$/.test(f));
      expect(pre).toHaveLength(2);
      for (const f of pre) expect(statSync(join(backups, f)).mode & 0o777).toBe(0o600);

      // The same command again changes nothing; a skipped minor is refused.
      const again = await apply(ws, { command: 'upgrade', extra: withCatalog });
      expect(again.code, describeRun(again)).toBe(0);
      expect(
        again.events.filter(
          (e) =>
            e.type === 'step-finished' &&
            e.status === 'changed' &&
            e.step.startsWith('upgrade-') &&
            e.step !== 'upgrade-check',
        ),
      ).toEqual([]);
    },
  );
});
