// kill -9 of the wizard at five points of the seed install, one after the other: each apply resumes
// the run the previous one left, goes on to the next point and is killed there; the last completes
// the cluster, and kubeadm init has run exactly once. (One install instead of five: a resume that
// lost its way at one point shows at that point, and the rest of the suite gets the time.)
// It runs in loadBalancer.mode kube-vip (the other lab installs use haproxy + keepalived): no haproxy
// or keepalived anywhere, the API on the VIP's 6443, kube-vip (the lab's simulator, docs/lab.md) as a
// static pod on each control plane. The kill during kubeadm init finds master01's kube-vip on
// super-admin.conf; the last run passes the failover drill; every kube-vip ends on admin.conf; the
// Lease holder is the VIP holder; a rerun changes nothing; and when the holder dies, its Lease runs out
// and another node's kube-vip takes the VIP (it renews through its own apiserver, not through the VIP
// that died: dell/omnia#4992).
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src/steps/engine/events.js';
import { privilegedOrSkip } from '../helpers/root.js';
import {
  apply,
  describeRun,
  initCount,
  kubectlNodes,
  operatorKubectl,
  statusesOf,
  workspace,
} from './install.js';
import { waitFor } from '../helpers/wait.js';
import { killHost, labDown, labExec, labUp, labWs, vipHolder } from './lab.js';

type Point = [name: string, killWhen: (e: EngineEvent, seen: EngineEvent[]) => number | undefined];

const command = (e: EngineEvent, pattern: RegExp, node?: RegExp) =>
  e.type === 'output-line' && e.stream === 'command' && pattern.test(e.line) && (!node || node.test(e.node));

const POINTS: Point[] = [
  [
    'during the Kubernetes packages',
    (e) => (command(e, /^(dnf|apt-get) install .*kubeadm/) ? 50 : undefined),
  ],
  ['during kubeadm init', (e) => (command(e, /^kubeadm init --config/) ? 300 : undefined)],
  [
    'between the control-plane joins',
    (e) =>
      e.type === 'step-finished' && e.step === 'join-control-plane' && e.node === 'master02' ? 0 : undefined,
  ],
  ['during the worker joins', (e) => (command(e, /^kubeadm join --config/, /^worker/) ? 150 : undefined)],
  ['during the CNI step', (e) => (command(e, /^sh .*install-calico\.sh/) ? 50 : undefined)],
];

const run = privilegedOrSkip('crash and resume tests');
const CPS = ['master01', 'master02', 'master03'];
const MANIFEST = '/etc/kubernetes/manifests/kube-vip.yaml';

const resumed = (r: { events: EngineEvent[] }) =>
  r.events.some((e) => e.type === 'notice' && /resuming run/.test(e.message));

describe.runIf(run)('crash and resume, with kube-vip', () => {
  it(
    `completes after kill -9 ${POINTS.map(([name]) => name).join(', then ')}; kube-vip passes the failover drill and survives its holder's death`,
    { timeout: 480_000 },
    async () => {
      const s = await labUp();
      try {
        const ws = workspace(s, 'resume', (a) => {
          const lb = a.loadBalancer as Record<string, unknown>;
          delete lb.port; // the mode's default: 6443
          delete lb.virtualRouterId;
          lb.mode = 'kube-vip';
        });
        for (const [i, [name, killWhen]] of POINTS.entries()) {
          const crashed = await apply(ws, { killWhen });
          expect(crashed.code, `the wizard should have been killed ${name}`).toBe(137);
          expect(crashed.events.some((e) => e.type === 'run-finished')).toBe(false);
          if (i > 0) expect(resumed(crashed), `the run killed ${name} resumed the earlier one`).toBe(true);
          expect(initCount(s), `kubeadm init runs after kill -9 ${name}`).toBeLessThanOrEqual(1);
          if (name === 'during kubeadm init')
            expect(labExec(s, 'master01', `cat ${MANIFEST}`).stdout, 'kube-vip during init').toMatch(
              /path: \/etc\/kubernetes\/super-admin\.conf/,
            );
        }
        const r = await apply(ws, { extra: ['--failover-drill'] });
        expect(r.code, describeRun(r)).toBe(0);
        expect(resumed(r)).toBe(true);
        expect(initCount(s), 'kubeadm init ran once').toBe(1);
        const drill = r.events.find(
          (e) =>
            e.type === 'notice' &&
            /failover drill: the VIP moved from master0\d to master0\d/.test(e.message),
        );
        expect(drill, describeRun(r)).toBeDefined();
        process.stderr.write(`${drill && 'message' in drill ? drill.message : ''}\n`);

        // 5 Ready nodes through the VIP on 6443: the real kubectl 1.35 with the fetched kubeconfig.
        const nodes = kubectlNodes(s, ws);
        expect(nodes.map((n) => n.name).sort()).toEqual([...CPS, 'worker01', 'worker02']);
        expect(nodes.every((n) => n.ready)).toBe(true);
        expect(operatorKubectl(s, ws, 'config view -o jsonpath={.clusters[0].cluster.server}').stdout).toBe(
          'https://172.16.100.150:6443',
        );

        for (const cp of CPS) {
          const manifest = labExec(s, cp, `cat ${MANIFEST}`).stdout;
          expect(manifest, cp).toMatch(/path: \/etc\/kubernetes\/admin\.conf/);
          expect(manifest, cp).not.toMatch(/super-admin/);
          // No load-balancer packages or services in this mode.
          const lb = labExec(
            s,
            cp,
            'for p in haproxy keepalived; do (rpm -q $p || dpkg -s $p) >/dev/null 2>&1 && echo "$p installed"; systemctl is-active --quiet $p && echo "$p active"; done; true',
          ).stdout.trim();
          expect(lb, cp).toBe('');
        }

        // Exactly one holder, and it is the node that holds the Lease.
        const holder = vipHolder(s)!;
        expect(CPS).toContain(holder);
        const lease = JSON.parse(
          operatorKubectl(s, ws, '-n kube-system get lease plndr-cp-lock -o json').stdout,
        ) as { spec: { holderIdentity: string } };
        expect(lease.spec.holderIdentity).toBe(holder);

        // A rerun changes nothing.
        const rerun = await apply(ws);
        expect(rerun.code, describeRun(rerun)).toBe(0);
        expect(statusesOf(rerun).changed ?? [], 'a rerun must change nothing').toEqual([]);

        // The holder dies (every process, and its link): no goodbye, so its Lease runs out (5 s) and
        // another control plane's kube-vip takes the VIP; the API answers through it again.
        expect(killHost(s, holder)).toBeGreaterThan(3);
        const moved = await waitFor(
          'the VIP to move off the dead holder and answer',
          () => {
            const h = vipHolder(s, holder);
            if (!h) return undefined;
            const ok = labWs(['curl', '-sk', '--max-time', '2', 'https://172.16.100.150:6443/readyz']).stdout;
            return ok === 'ok' ? h : undefined;
          },
          30_000,
        );
        process.stderr.write(
          `${holder} died: the VIP moved to ${moved.value} and answered in ${moved.ms} ms\n`,
        );
      } finally {
        // K8SHA_LAB_KEEP=1 leaves the lab up for a look (`npm run lab -- down` later).
        if (!process.env.K8SHA_LAB_KEEP) await labDown(s.dir);
      }
    },
  );
});
