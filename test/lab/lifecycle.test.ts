// lab up, then lab down: nothing is left behind. Also: isolation of files between hosts and from
// the machine, SSH as root by key and as `ops` by password with sudo, and the not-root message.
import { LAB_OSES } from './os-matrix.js';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { privilegedOrSkip } from '../helpers/root.js';
import { sh } from './fixture.js';
import { isRunning, labDown, labExec, labUp, labWs, sshArgs, type LabState } from './lab.js';
import { LAB_PREFIX } from './topology.js';

function labNamespaces(): string[] {
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  return r.stdout
    .split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter((n) => n.startsWith(`${LAB_PREFIX}-`));
}

/** Every mount table on the machine that still mentions the lab's directory. */
function labMounts(dir: string): string[] {
  const hits: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/mountinfo`, 'utf8').includes(dir))
        hits.push(`${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim()}`);
    } catch {
      // process gone
    }
  }
  return hits;
}

const alive = isRunning;

const run = privilegedOrSkip('lab lifecycle tests');

describe.runIf(run)('lab up and down', () => {
  it('comes up with the seed topology and goes down without leftovers', { timeout: 120_000 }, async () => {
    const rootLinksBefore = spawnSync('ip', ['-o', 'link'], { encoding: 'utf8' }).stdout.split('\n').length;
    const state: LabState = await labUp();
    try {
      expect(state.hosts.map((h) => `${h.name}=${h.address}`)).toEqual([
        'master01=172.16.100.100',
        'master02=172.16.100.120',
        'master03=172.16.100.160',
        'worker01=172.16.100.180',
        'worker02=172.16.100.200',
      ]);
      // A mixed lab: one OS row of the README's table per host, both families among them.
      expect(state.hosts.map((h) => h.os)).toEqual(LAB_OSES.slice(0, 5).map((o) => o.key));
      expect(labNamespaces().length).toBe(7); // five hosts, the switch, the operator side
      expect(labMounts(state.dir).length).toBeGreaterThanOrEqual(5);
      expect(readFileSync(state.answersPath, 'utf8')).toMatch(/vip: 172\.16\.100\.150\/24/);
      // The operator namespace has no route off the machine.
      const routes = labWs(['ip', 'route']).stdout;
      expect(routes).not.toMatch(/default/);
      expect(routes.trim().split('\n')).toHaveLength(1);
      // The machine's own namespace got no lab link.
      expect(spawnSync('ip', ['-o', 'link'], { encoding: 'utf8' }).stdout.split('\n').length).toBe(
        rootLinksBefore,
      );

      // Files written in /etc on master01 are visible neither on master02 nor on the machine.
      sh(state, 'master01', 'echo from-master01 > /etc/k8sha-isolation-probe');
      expect(sh(state, 'master01', 'cat /etc/k8sha-isolation-probe').trim()).toBe('from-master01');
      expect(labExec(state, 'master02', 'test -e /etc/k8sha-isolation-probe').code).toBe(1);
      expect(existsSync('/etc/k8sha-isolation-probe')).toBe(false);
      // Private /tmp and /run, and each host has its own hostname and machine-id.
      sh(state, 'master01', 'touch /tmp/probe /run/probe');
      expect(labExec(state, 'master02', 'test -e /tmp/probe || test -e /run/probe').code).toBe(1);
      const ids = state.hosts.map((h) => sh(state, h.name, 'cat /etc/machine-id').trim());
      expect(new Set(ids).size).toBe(ids.length);
      // Each host sees only its own processes (sshd and its simulator daemon, not a neighbour's haproxy).
      expect(sh(state, 'worker01', 'ps -e -o comm= | sort -u')).not.toMatch(/keepalived|haproxy|etcd/);
      expect(sh(state, 'worker01', 'ps -e -o pid=,comm=').trim().split('\n').length).toBeLessThan(8);
    } finally {
      const pids = state.hosts.map((h) => h.initPid);
      await labDown(state.dir);
      expect(labNamespaces()).toEqual([]);
      expect(labMounts(state.dir)).toEqual([]);
      expect(pids.filter(alive)).toEqual([]);
      expect(existsSync(`${state.dir}/hosts`)).toBe(false);
      expect(spawnSync('ip', ['-o', 'link'], { encoding: 'utf8' }).stdout.split('\n').length).toBe(
        rootLinksBefore,
      );
    }
  });

  it('cleans up the leftovers of an earlier lab when it comes up again', { timeout: 120_000 }, async () => {
    const first = await labUp({ masters: 1, workers: 1 });
    const oldPids = first.hosts.map((h) => h.initPid);
    const second = await labUp({ masters: 1, workers: 0, os: 'ubuntu' });
    try {
      expect(oldPids.filter((p) => alive(p) && second.hosts.every((h) => h.initPid !== p))).toEqual([]);
      expect(labNamespaces().sort()).toEqual([
        `${LAB_PREFIX}-master01`,
        `${LAB_PREFIX}-sw`,
        `${LAB_PREFIX}-ws`,
      ]);
    } finally {
      await labDown(second.dir);
    }
    expect(labNamespaces()).toEqual([]);
  });

  it('logs in as root by key and as ops by password, with sudo', { timeout: 120_000 }, async () => {
    const state = await labUp();
    try {
      for (const h of state.hosts) {
        const r = labWs([...sshArgs(state, 'root', h.address), 'hostname']);
        expect(r.stdout.trim(), r.stderr).toBe(h.name);
      }
      const pw = readFileSync(state.opsPasswordPath, 'utf8').trim();
      const opsSsh = (address: string, cmd: string) =>
        labWs(
          [
            'sshpass',
            '-e',
            'ssh',
            '-o',
            'StrictHostKeyChecking=no',
            '-o',
            'UserKnownHostsFile=/dev/null',
            '-o',
            'LogLevel=ERROR',
            '-o',
            'PubkeyAuthentication=no',
            `ops@${address}`,
            cmd,
          ],
          { env: { ...process.env, SSHPASS: pw } },
        );
      const who = opsSsh('172.16.100.180', 'id -un');
      expect(who.stdout.trim(), who.stderr).toBe('ops');
      const sudo = opsSsh('172.16.100.180', `echo '${pw}' | sudo -S -p '' id -u`);
      expect(sudo.stdout.trim(), sudo.stderr).toBe('0');
      const wrong = opsSsh('172.16.100.180', "echo wrong-password | sudo -S -p '' id -u");
      expect(wrong.code).not.toBe(0);
      // Root cannot log in with a password, only with the key.
      const rootPw = labWs(
        [
          'sshpass',
          '-e',
          'ssh',
          '-o',
          'StrictHostKeyChecking=no',
          '-o',
          'UserKnownHostsFile=/dev/null',
          '-o',
          'PubkeyAuthentication=no',
          '-o',
          'ConnectTimeout=5',
          'root@172.16.100.180',
          'true',
        ],
        { env: { ...process.env, SSHPASS: pw } },
      );
      expect(rootPw.code).not.toBe(0);
    } finally {
      await labDown(state.dir);
    }
  });
});

describe('lab CLI without root', () => {
  it('refuses with a clear message', { timeout: 60_000 }, () => {
    if (process.getuid?.() !== 0) {
      const r = spawnSync('npm', ['run', '-s', 'lab', '--', 'up'], { encoding: 'utf8' });
      expect(r.status).not.toBe(0);
      expect(`${r.stdout}${r.stderr}`).toMatch(/needs root/);
      return;
    }
    // As root, drop privileges for the child so the check really runs.
    spawnSync('node', ['scripts/run-ts.mjs', 'test/lab/cli.ts', 'status'], { encoding: 'utf8' }); // builds .bench/cli.mjs
    const r = spawnSync(
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '.bench/cli.mjs', 'up'],
      { encoding: 'utf8', env: { ...process.env, K8SHA_LAB_DIR: '/tmp/k8sha-lab-not-root' } },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/the lab needs root/);
  });
});
