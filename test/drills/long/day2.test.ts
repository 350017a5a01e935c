// Day 2 in the lab, one cluster through its life (a long drill: about 5 minutes, `npm run test:day2`;
// `npm test` runs a shorter day-2 chain in test/lab/install-variations.test.ts): install three control
// planes and two workers; add a worker and two control planes by editing the answers (kill -9 at three
// points, rerun each time); status; a remove that would break etcd quorum is refused; a drain blocked
// by a PodDisruptionBudget names the pod; remove a live control plane (kill -9 at three points) and a
// dead one (its link cut); reset the whole cluster. After each step the nodes through the VIP and `etcdctl member list`
// on a control plane must match the answers, and after the reset nothing of the install is left.
import { readFileSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { useLab } from '../../lab/fixture.js';
import { labExec, setHostLink, vipHolder, type LabState } from '../../lab/lab.js';
import {
  apply,
  describeRun,
  operatorKubectl,
  whenFinished,
  whenStarted,
  ETCDCTL,
  etcdMembers,
  guardedPodYaml,
  haproxyBackends,
  initCount,
  leftovers,
  kubectlNodes,
  statusesOf,
  workspace,
  type ApplyResult,
  type Workspace,
} from '../../lab/install.js';

const { enabled, lab } = useLab('day-2 tests', { masters: 5, workers: 3 });

type HostDoc = { name: string; role: string };
const answersHosts = (ws: Workspace) =>
  (parse(readFileSync(ws.answers, 'utf8')) as { hosts: HostDoc[] }).hosts.map((h) => h.name).sort();

function expectClusterMatches(s: LabState, ws: Workspace, etcdOn: string): void {
  const wanted = answersHosts(ws);
  const nodes = kubectlNodes(s, ws);
  expect(nodes.map((n) => n.name).sort()).toEqual(wanted);
  expect(
    nodes.filter((n) => !n.ready).map((n) => n.name),
    'every node is Ready',
  ).toEqual([]);
  const cps = (parse(readFileSync(ws.answers, 'utf8')) as { hosts: HostDoc[] }).hosts
    .filter((h) => h.role === 'control-plane')
    .map((h) => h.name)
    .sort();
  expect(etcdMembers(s, etcdOn)).toEqual(cps);
  // haproxy on each control plane sends traffic to exactly the control planes.
  for (const cp of cps) expect(haproxyBackends(s, cp), `haproxy backends on ${cp}`).toEqual(cps);
}

/** Every etcd member healthy, and a write through the API goes through (up to 90 s). */
async function settled(s: LabState): Promise<void> {
  let last = '';
  for (let i = 0; i < 45; i++) {
    const r = labExec(
      s,
      'master01',
      `${ETCDCTL} endpoint health --cluster && kubectl --kubeconfig /etc/kubernetes/admin.conf label node master01 settled=${i} --overwrite`,
    );
    if (r.code === 0) return;
    last = r.stderr;
    await new Promise((res) => setTimeout(res, 2000));
  }
  throw new Error(`the cluster did not settle: ${last}`);
}

describe.runIf(enabled)('day 2 in the lab: add, status, remove, reset', () => {
  it(
    'grows, reports, shrinks (live and dead control planes, refusals, a blocked drain) and resets',
    { timeout: 900_000 },
    async () => {
      const s = lab.state;
      const all = (parse(readFileSync(s.answersPath, 'utf8')) as { hosts: HostDoc[] }).hosts;
      const initial = ['master01', 'master02', 'master03', 'worker01', 'worker02'];
      const ws = workspace(s, 'day2', (doc) => {
        doc.hosts = all.filter((h) => initial.includes(h.name));
      });
      const install = await apply(ws);
      expect(install.code, describeRun(install)).toBe(0);
      expectClusterMatches(s, ws, 'master01');

      // Add a worker and two control planes: the operator edits the answers and runs apply again.
      // kill -9 at three points (a new host's container runtime, master04's join, the load balancers'
      // roll on the control planes), each time running the same command again; the last run finishes.
      writeFileSync(ws.answers, stringify({ ...parse(readFileSync(ws.answers, 'utf8')), hosts: all }));
      const addRuns: ApplyResult[] = [];
      for (const [step, node, ms] of [
        ['container-runtime', 'worker03', 500],
        ['join-control-plane', 'master04', 1500],
        ['load-balancer-update', 'master02', 300],
      ] as const) {
        const killed = await apply(ws, {
          killWhen: whenStarted(step, node, ms),
        });
        expect(killed.code, `kill -9 in ${node}/${step}: ${describeRun(killed)}`).toBe(137);
        addRuns.push(killed);
      }
      const grown = await apply(ws);
      expect(grown.code, describeRun(grown)).toBe(0);
      expect(initCount(s), 'kubeadm init ran once').toBe(1);
      // The existing members were left alone in every run: no join reran on them. The last run did
      // not repeat the joins the runs before it finished.
      for (const r of [...addRuns, grown]) {
        const rejoined = (statusesOf(r).changed ?? []).filter((x) =>
          /^(master0[123]|worker0[12])\/join-(control-plane|worker)$/.test(x),
        );
        expect(rejoined).toEqual([]);
      }
      expect((statusesOf(grown).changed ?? []).filter((x) => x.endsWith('/join-control-plane'))).toEqual([]);
      expectClusterMatches(s, ws, 'master02');

      // Status: healthy, five voting members with a leader, the VIP held.
      const healthy = await apply(ws, { command: 'status' });
      expect(healthy.code, describeRun(healthy)).toBe(0);
      const report = JSON.parse(healthy.stdout) as {
        healthy: boolean;
        etcd: { members: { name: string; leader: boolean; healthy: boolean }[]; quorum: boolean };
        vip?: { holder?: string };
      };
      expect(report.healthy).toBe(true);
      expect(report.etcd.members.map((m) => m.name).sort()).toEqual(etcdMembers(s, 'master01'));
      expect(report.etcd.members.filter((m) => m.leader)).toHaveLength(1);
      expect(report.vip?.holder).toBe(vipHolder(s));

      // Two members down: taking a healthy third out would leave 2 of 4 healthy. Refused, exit 2,
      // and nothing changed.
      setHostLink(s, 'master04', false);
      setHostLink(s, 'master05', false);
      try {
        const refused = await apply(ws, { command: 'remove', extra: ['--node', 'master03'] });
        expect(refused.code, describeRun(refused)).toBe(2);
        expect(refused.stderr + refused.stdout).toMatch(/etcd needs 3 to keep quorum/);
        expect(refused.stderr + refused.stdout).toMatch(/master04.*master05|master05.*master04/);
        expect(answersHosts(ws)).toContain('master03');
        expect(etcdMembers(s, 'master01')).toContain('master03');
      } finally {
        setHostLink(s, 'master04', true);
        setHostLink(s, 'master05', true);
      }
      // The members rejoin and elect a leader; the cluster is whole again before going on.
      await settled(s);

      // A drain that a PodDisruptionBudget blocks names the pod, leaves the node cordoned and
      // changes nothing else; without the budget the rerun finishes.
      const kubectl = (cmd: string, input?: string) => operatorKubectl(s, ws, cmd, input);
      const guarded = kubectl('apply -f -', guardedPodYaml('worker03'));
      expect(guarded.code, guarded.stderr).toBe(0);
      const blocked = await apply(ws, {
        command: 'remove',
        extra: ['--node', 'worker03', '--drain-timeout', '8s'],
      });
      expect(blocked.code, describeRun(blocked)).toBe(1);
      expect(blocked.stderr + blocked.stdout).toMatch(/worker03 did not drain within 8 s.*default\/web-1/);
      expect(answersHosts(ws)).toContain('worker03');
      expect(kubectl('get node worker03 -o jsonpath={.spec.unschedulable}').stdout).toBe('true');
      expect(kubectl('delete pdb web -n default').code).toBe(0);
      const workerGone = await apply(ws, { command: 'remove', extra: ['--node', 'worker03'] });
      expect(workerGone.code, describeRun(workerGone)).toBe(0);
      expect(answersHosts(ws)).not.toContain('worker03');
      expect(leftovers(s, 'worker03')).toBe('');
      expectClusterMatches(s, ws, 'master01');

      // Remove a live control plane with kill -9 at three points (mid-drain, once its etcd member is
      // gone, mid-way through the load balancers' roll), each time running the same command again;
      // the journal knows which node was leaving, and nothing done is done twice.
      const removeMaster02 = { command: 'remove', extra: ['--node', 'master02'] };
      const mid = await apply(ws, { ...removeMaster02, killWhen: whenStarted('drain', 'master01', 200) });
      expect(mid.code, describeRun(mid)).toBe(137);
      const cut = await apply(ws, { ...removeMaster02, killWhen: whenFinished('etcd-member-remove') });
      expect(cut.code, describeRun(cut)).toBe(137);
      expect(etcdMembers(s, 'master01')).not.toContain('master02');
      const rolling = await apply(ws, {
        ...removeMaster02,
        killWhen: whenStarted('load-balancer-update', 'master03', 300),
      });
      expect(rolling.code, describeRun(rolling)).toBe(137);
      expect(statusesOf(rolling).changed ?? []).not.toContain('master01/etcd-member-remove');
      const resumed = await apply(ws, removeMaster02);
      expect(resumed.code, describeRun(resumed)).toBe(0);
      for (const step of ['etcd-member-remove', 'reset-host', 'delete-node'])
        expect((statusesOf(resumed).changed ?? []).filter((x) => x.endsWith(`/${step}`))).toEqual([]);
      expect(leftovers(s, 'master02')).toBe('');
      expect(answersHosts(ws)).not.toContain('master02');
      expectClusterMatches(s, ws, 'master01');

      // A dead control plane: its cable is cut. Status names it; remove takes it out through the
      // others and says its reset was skipped.
      setHostLink(s, 'master05', false);
      const degraded = await apply(ws, { command: 'status' });
      expect(degraded.code, describeRun(degraded)).toBe(1);
      const bad = JSON.parse(degraded.stdout) as { healthy: boolean; problems: string[] };
      expect(bad.healthy).toBe(false);
      expect(bad.problems.join('\n')).toMatch(/master05 is unreachable/);
      expect(bad.problems.join('\n')).toMatch(/etcd member master05 is not healthy/);
      const dead = await apply(ws, { command: 'remove', extra: ['--node', 'master05'] });
      expect(dead.code, describeRun(dead)).toBe(0);
      expect(JSON.stringify(dead.events)).toMatch(/master05 is unreachable: cordoned, not drained/);
      expect(answersHosts(ws)).toEqual(['master01', 'master03', 'master04', 'worker01', 'worker02']);
      expectClusterMatches(s, ws, 'master03');
      const after = await apply(ws, { command: 'status' });
      expect(after.code, describeRun(after)).toBe(0);

      // Reset the whole cluster: nothing of the install is left on any host, and this machine forgot
      // it (the next apply would start with kubeadm init).
      const reset = await apply(ws, { command: 'reset' });
      expect(reset.code, describeRun(reset)).toBe(0);
      for (const h of answersHosts(ws)) expect(leftovers(s, h), h).toBe('');
      expect(vipHolder(s)).toBeUndefined();
      const plan = await apply(ws, { extra: ['--dry-run'] });
      expect(plan.stdout + plan.stderr).toMatch(/kubeadm init/);
    },
  );
});
