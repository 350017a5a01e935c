// Variations of the install, on one lab: plan through a bastion; one control plane and five workers in waves of
// three on the OS rows the seed lab lacks, refused a moved API endpoint, grown to three control planes
// by editing the answers, then day 2 in short (the whole of it is the drill test/drills/long/day2.test.ts):
// a live control plane removed with a kill -9 half way, status, and a reset that leaves nothing.
// (The non-root `ops` user with a password and sudo is the secrets drill's install.)
import { describe, expect, it } from 'vitest';
import { privilegedOrSkip } from '../helpers/root.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import {
  apply,
  etcdMembers,
  haproxyBackends,
  initCount,
  kubectlNodes,
  leftovers,
  whenFinished,
  workspace,
} from './install.js';
import { spawnSync } from 'node:child_process';
import { CLI } from '../helpers/cli.js';
import { labDown, labExec, labUp, vipHolder, wsArgv } from './lab.js';
import { labOs } from './os-matrix.js';
import { VARIATION_LAB } from './os-coverage.js';

const run = privilegedOrSkip('install variation tests');

describe.runIf(run)('install variations', () => {
  // More nodes than --concurrency: they are worked on in waves. (bench:scale installs up to 103 nodes.)
  it(
    'plans through a bastion, installs 1 master and 5 workers, never more than 3 at a time, on the OS rows the seed lab does not have, grows to 3 masters, removes one and resets',
    { timeout: 420_000 },
    async () => {
      // mixed+5: Ubuntu 22.04, Rocky 10, Debian 13, AlmaLinux 9, RHEL 10 and three more; the seed lab
      // (mixed) has the other five rows of the README's table (test/answers/os-matrix.test.ts).
      const s = await labUp(VARIATION_LAB);
      try {
        // Plan through a bastion (master01 as the jump host): facts are gathered over it.
        const viaBastion = workspace(s, 'bastion', (a) => {
          (a.ssh as Record<string, unknown>).bastion = { address: '172.16.100.100', user: 'root' };
        });
        const [cmd, ...args] = wsArgv([
          process.execPath,
          CLI,
          'plan',
          '--answers',
          viaBastion.answers,
          '--state-dir',
          viaBastion.stateDir,
        ]);
        const planned = spawnSync(cmd!, args, { encoding: 'utf8' });
        expect(planned.status, planned.stderr).toBe(0);
        expect(planned.stdout).toMatch(/facts gathered from the hosts/);
        const worker01Os = labOs(s.hosts.find((h) => h.name === 'worker01')!.os);
        expect(planned.stdout).toMatch(new RegExp(`worker01 \\(worker, ${worker01Os.family}\\)`));

        // One control plane with a VIP from the start (assets/examples/single-control-plane.yaml).
        type Doc = { hosts: { name: string; role: string }[]; loadBalancer: { port?: number } };
        const all = (parse(readFileSync(s.answersPath, 'utf8')) as Doc).hosts;
        const ws = workspace(s, 'big', (doc) => {
          doc.hosts = all.filter((h) => h.name !== 'master02' && h.name !== 'master03');
        });
        const r = await apply(ws, { extra: ['--concurrency', '3'] });
        expect(r.code, r.stdout.slice(-2000)).toBe(0);
        const nodes = kubectlNodes(s, ws);
        expect(nodes).toHaveLength(6);
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
        process.stderr.write(`1 master + 5 workers installed in ${r.ms} ms, at most ${most} at once\n`);

        // The last control plane cannot be removed: exit 2, and the cluster and answers stay as they are.
        const last = await apply(ws, { command: 'remove', extra: ['--node', 'master01'] });
        expect(last.code, last.stderr).toBe(2);
        expect(last.stderr + last.stdout).toMatch(/master01 is the last control plane/);
        expect(etcdMembers(s, 'master01')).toEqual(['master01']);
        expect(kubectlNodes(s, ws).filter((n) => n.ready)).toHaveLength(6);
        expect(readFileSync(ws.answers, 'utf8')).toMatch(/master01/);

        // The API endpoint cannot move: another port is refused (exit 2) before any host changes.
        const installed = readFileSync(ws.answers, 'utf8');
        const moved = parse(installed) as Doc;
        moved.loadBalancer.port = 9443;
        writeFileSync(ws.answers, stringify(moved));
        const refused = await apply(ws);
        expect(refused.code, refused.stderr).toBe(2);
        expect(refused.stderr + refused.stdout).toMatch(
          /API endpoint is 172\.16\.100\.150:8443, but the answers say 172\.16\.100\.150:9443/,
        );
        expect(labExec(s, 'master01', 'grep -c ":9443" /etc/haproxy/haproxy.cfg').stdout.trim()).toBe('0');

        // Grow from 1 to 3 control planes by adding them to the answers: they join one at a time and
        // every haproxy learns them; the API stays on the VIP.
        writeFileSync(ws.answers, stringify({ ...(parse(installed) as Doc), hosts: all }));
        const grown = await apply(ws);
        expect(grown.code, grown.stdout.slice(-2000)).toBe(0);
        expect(initCount(s), 'kubeadm init ran once').toBe(1);
        const cps = ['master01', 'master02', 'master03'];
        const after = kubectlNodes(s, ws);
        expect(after.filter((n) => n.ready)).toHaveLength(8);
        expect(
          after
            .filter((n) => n.controlPlane)
            .map((n) => n.name)
            .sort(),
        ).toEqual(cps);
        expect(etcdMembers(s, 'master03')).toEqual(cps);
        for (const cp of cps) expect(haproxyBackends(s, cp), `haproxy backends on ${cp}`).toEqual(cps);
        process.stderr.write(`grown from 1 to 3 control planes in ${grown.ms} ms\n`);

        // Remove a live control plane; kill -9 once its etcd member is gone, then the same command
        // finishes from there. The answers, etcd, every haproxy and the Nodes agree afterwards.
        const removeMaster02 = { command: 'remove', extra: ['--node', 'master02'] };
        const cut = await apply(ws, {
          ...removeMaster02,
          killWhen: whenFinished('etcd-member-remove'),
        });
        expect(cut.code, cut.stdout.slice(-2000)).toBe(137);
        const removed = await apply(ws, removeMaster02);
        expect(removed.code, removed.stdout.slice(-2000)).toBe(0);
        const left = ['master01', 'master03'];
        expect(etcdMembers(s, 'master01')).toEqual(left);
        for (const cp of left) expect(haproxyBackends(s, cp), `haproxy backends on ${cp}`).toEqual(left);
        expect(kubectlNodes(s, ws).map((n) => n.name)).not.toContain('master02');
        expect(readFileSync(ws.answers, 'utf8')).not.toMatch(/master02/);
        expect(leftovers(s, 'master02')).toBe('');

        // Status: healthy, two voting members and a leader, the VIP held.
        const status = await apply(ws, { command: 'status' });
        expect(status.code, status.stderr).toBe(0);
        const report = JSON.parse(status.stdout) as {
          healthy: boolean;
          etcd: { members: { name: string; leader: boolean }[] };
          vip?: { holder?: string };
        };
        expect(report.healthy).toBe(true);
        expect(report.etcd.members.map((m) => m.name).sort()).toEqual(left);
        expect(report.etcd.members.filter((m) => m.leader)).toHaveLength(1);
        expect(report.vip?.holder).toBe(vipHolder(s));

        // Reset: nothing of the install is left on any host.
        const reset = await apply(ws, { command: 'reset' });
        expect(reset.code, reset.stdout.slice(-2000)).toBe(0);
        for (const h of s.hosts) expect(leftovers(s, h.name), h.name).toBe('');
      } finally {
        await labDown(s.dir);
      }
    },
  );
});
