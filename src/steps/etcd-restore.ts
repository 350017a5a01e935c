// Disaster recovery for a cluster that lost etcd's quorum, as the etcd and kubeadm docs prescribe:
// stop the control-plane static pods on every control plane (their manifests move aside), restore
// the snapshot into a fresh data directory on each member with one new cluster token and the full
// --initial-cluster, swap it in (the old data stays on the host), start the pods again, and wait
// until etcd has every member and the API answers through the VIP. Each step leaves a marker under
// the restore's own directory on the host, so a rerun after kill -9 goes on where it stopped.
import { readFileSync } from 'node:fs';
import { controlPlanes } from '../answers/model.js';
import type { Answers } from '../answers/schema.js';
import { clusterControlPlane, kubectlOn } from './cluster-host.js';
import type { StepContext } from './engine/context.js';
import { Refusal, StepError } from './engine/failure.js';
import type { Step } from './engine/step.js';
import { etcdApi, etcdMembers, peerUrl } from './etcd-members.js';
import { memberHealth, quorum } from './removal.js';
import { quote } from './transport/shell.js';

const MANIFESTS = '/etc/kubernetes/manifests';
const POD_MANIFESTS = [
  'etcd.yaml',
  'kube-apiserver.yaml',
  'kube-controller-manager.yaml',
  'kube-scheduler.yaml',
];

export interface RestorePlan {
  id: string;
  snapshot: string;
  sha256: string;
  /** Restore even though etcd still has quorum (a deliberate roll-back). */
  force?: boolean;
}

export const restorePlan = (ctx: StepContext): RestorePlan => {
  const p = ctx.svc.context().restore as RestorePlan | undefined;
  if (!p) throw new Error('no restore plan in the run context');
  return p;
};

const dirOf = (ctx: StepContext) => `/var/lib/k8sha-wizard/restore-${restorePlan(ctx).id}`;
const marker = (ctx: StepContext, name: string) => `${dirOf(ctx)}/${name}`;
const hasMarker = async (ctx: StepContext, name: string) =>
  (await ctx.probe(`test -e ${quote(marker(ctx, name))}`)).code === 0;

export function initialCluster(a: Answers): string {
  return controlPlanes(a)
    .map((h) => `${h.name}=${peerUrl(h)}`)
    .join(',');
}

/** etcdutl (etcd 3.5+) restores; before it, etcdctl did. */
const RESTORE_TOOL =
  'if command -v etcdutl >/dev/null 2>&1; then etcdutl snapshot restore "$@"; else ETCDCTL_API=3 etcdctl snapshot restore "$@"; fi';

const cpOnly = (h: { role: string }) => h.role === 'control-plane';

export const restoreCheck: Step = {
  id: 'restore-check',
  title: 'Can the snapshot be restored here?',
  phase: 'check',
  scope: 'cluster',
  appliesTo: () => true,
  runsOn: (a, svc) => clusterControlPlane(a, svc),
  retry: { tries: 1, delayMs: 0 },
  skippable: false,
  check: async () => false,
  async apply(ctx) {
    const down = controlPlanes(ctx.answers).filter((h) => !ctx.svc.facts[h.name]);
    if (down.length)
      throw new StepError(
        `a restore rebuilds etcd on every control plane, and ${down.map((h) => h.name).join(', ')} cannot be reached`,
        'bring them back, or take them out of the answers (a smaller etcd is restored from the same snapshot); nothing was changed',
      );
    const missing: string[] = [];
    await Promise.all(
      controlPlanes(ctx.answers).map(async (h) => {
        const r = await ctx.probeOn(h, 'command -v etcdutl || command -v etcdctl');
        if (r.code !== 0) missing.push(h.name);
      }),
    );
    if (missing.length)
      throw new StepError(
        `${missing.join(', ')} ha${missing.length === 1 ? 's' : 've'} neither etcdutl nor etcdctl, which restore the snapshot into a data directory`,
        'install etcdutl there (from the etcd release matching the cluster, into /usr/local/bin), then run restore again; nothing was changed',
      );
    if (restorePlan(ctx).force) return;
    // A rerun of this restore after kill -9 goes on: its own stop already took quorum away.
    const begun = await Promise.all(
      controlPlanes(ctx.answers).map((h) => ctx.probeOn(h, `test -e ${quote(marker(ctx, 'stopped'))}`)),
    );
    if (begun.some((r) => r.code === 0)) return;
    const holding = await quorumHolders(ctx);
    if (holding.length)
      throw new Refusal(
        `etcd still has quorum (a linearizable read succeeds through ${holding.join(', ')}): a restore would throw away every change since the snapshot on a working cluster`,
        'a restore is for a cluster that lost quorum; to roll a working cluster back to the snapshot anyway, add --force; nothing was changed',
      );
  },
};

/**
 * Control planes whose etcd serves a linearizable read, which only a member of a quorum can: a read of
 * one key, so it costs nothing. A member that lost its data and started a cluster of its own also
 * answers, so its answer counts only when it agrees with the others' cluster id.
 */
async function quorumHolders(ctx: StepContext): Promise<string[]> {
  const key = Buffer.from('/k8sha-wizard/quorum-probe').toString('base64');
  const answers = await Promise.all(
    controlPlanes(ctx.answers).map(async (h) => {
      const r = await ctx.probeOn(h, etcdApi('/v3/kv/range', { key }), { timeoutMs: 15_000 });
      const cluster = /"cluster_id":"(\d+)"/.exec(r.stdout)?.[1];
      return r.code === 0 && cluster && !/"error"/.test(r.stdout) ? { host: h.name, cluster } : undefined;
    }),
  );
  const byCluster = new Map<string, string[]>();
  for (const a of answers) if (a) byCluster.set(a.cluster, [...(byCluster.get(a.cluster) ?? []), a.host]);
  const need = quorum(controlPlanes(ctx.answers).length);
  return [...byCluster.values()].find((hosts) => hosts.length >= need) ?? [];
}

export const restoreStop: Step = {
  id: 'restore-stop',
  title: 'Stop the control-plane static pods',
  phase: 'stop',
  scope: 'node',
  appliesTo: cpOnly,
  retry: { tries: 2, delayMs: 3000 },
  skippable: false,
  check: (ctx) => hasMarker(ctx, 'stopped'),
  async apply(ctx) {
    const d = dirOf(ctx);
    await ctx.run(
      [
        `install -d -m 700 ${quote(`${d}/manifests`)}`,
        ...POD_MANIFESTS.map(
          (m) => `if [ -e ${MANIFESTS}/${m} ]; then mv ${MANIFESTS}/${m} ${quote(`${d}/manifests/${m}`)}; fi`,
        ),
      ].join(' && '),
      { label: `move the static pod manifests to ${d}/manifests (the kubelet stops etcd and the apiserver)` },
    );
    const stopped = await ctx.run(
      // curl exit 7: nothing listens (a TLS error, or a refused client certificate, means it still runs).
      `for i in $(seq 1 60); do up=0; for p in 2379 6443; do curl -sk -o /dev/null --max-time 1 https://127.0.0.1:$p/; [ $? -eq 7 ] || up=1; done; [ $up -eq 0 ] && exit 0; sleep 1; done; exit 1`,
      { allowFail: true, label: 'wait up to 60 s for etcd and the apiserver to stop' },
    );
    if (stopped.code !== 0)
      throw new StepError(
        `etcd or the apiserver still answers on ${ctx.node.name} 60 s after their manifests moved away`,
        'look at the kubelet there (journalctl -u kubelet; crictl ps), then run restore again',
      );
    await ctx.run(`touch ${quote(marker(ctx, 'stopped'))}`);
  },
};

export const restoreData: Step = {
  id: 'restore-data',
  title: 'Restore the snapshot into the etcd data directory',
  phase: 'restore',
  scope: 'node',
  appliesTo: cpOnly,
  retry: { tries: 2, delayMs: 3000 },
  skippable: false,
  check: (ctx) => hasMarker(ctx, 'restored'),
  async apply(ctx) {
    const plan = restorePlan(ctx);
    const d = dirOf(ctx);
    await ctx.svc.transport(ctx.node.name).upload(`${d}/snapshot.db`, readFileSync(plan.snapshot), 0o600, {
      step: ctx.step.id,
      node: ctx.node.name,
    });
    const args = [
      `${d}/snapshot.db`,
      `--name=${ctx.node.name}`,
      `--initial-cluster=${initialCluster(ctx.answers)}`,
      `--initial-cluster-token=k8sha-restore-${plan.id}`,
      `--initial-advertise-peer-urls=${peerUrl(ctx.node)}`,
      `--data-dir=${d}/data`,
    ];
    await ctx.run(
      [
        `rm -rf ${quote(`${d}/data`)}`,
        `sh -c ${quote(RESTORE_TOOL)} restore ${args.map(quote).join(' ')}`,
        // The data the cluster had stays on the host; a second attempt keeps the first copy of it.
        `if [ ! -e ${quote(`${d}/etcd-before`)} ]; then mv /var/lib/etcd ${quote(`${d}/etcd-before`)} 2>/dev/null || true; else rm -rf /var/lib/etcd; fi`,
        `mv ${quote(`${d}/data`)} /var/lib/etcd && chmod 700 /var/lib/etcd`,
        `rm -f ${quote(`${d}/snapshot.db`)}`,
        `touch ${quote(marker(ctx, 'restored'))}`,
      ].join(' && '),
      {
        timeoutMs: 15 * 60_000,
        label: `etcd snapshot restore as ${ctx.node.name} (new cluster token, ${controlPlanes(ctx.answers).length} members) into /var/lib/etcd; the old data kept in ${d}/etcd-before`,
      },
    );
  },
};

export const restoreStart: Step = {
  id: 'restore-start',
  title: 'Start the control-plane static pods',
  phase: 'start',
  scope: 'node',
  appliesTo: cpOnly,
  retry: { tries: 2, delayMs: 3000 },
  skippable: false,
  check: (ctx) => hasMarker(ctx, 'started'),
  async apply(ctx) {
    const d = dirOf(ctx);
    await ctx.run(
      [
        ...POD_MANIFESTS.map(
          (m) =>
            `if [ -e ${quote(`${d}/manifests/${m}`)} ]; then mv ${quote(`${d}/manifests/${m}`)} ${MANIFESTS}/${m}; fi`,
        ),
        // The kubelet picks the pods up again and forgets what it cached of the old cluster.
        'systemctl restart kubelet',
        `touch ${quote(marker(ctx, 'started'))}`,
      ].join(' && '),
      { label: `move the static pod manifests back from ${d}/manifests; restart the kubelet` },
    );
  },
};

export const restoreVerify: Step = {
  id: 'restore-verify',
  title: 'etcd has every member; the API answers through the VIP',
  phase: 'verify',
  scope: 'cluster',
  appliesTo: () => true,
  runsOn: (a, svc) => clusterControlPlane(a, svc),
  retry: { tries: 2, delayMs: 5000 },
  skippable: false,
  check: async () => false,
  async apply(ctx) {
    const cps = controlPlanes(ctx.answers);
    let problem = '';
    for (let i = 0; i < 60; i++) {
      const members = (await etcdMembers(ctx, ctx.node)) ?? [];
      const health = await memberHealth(ctx, ctx.node, members);
      const names = members.map((m) => m.name).sort();
      const healthy = members.filter((m) => health.get(m.id)).length;
      problem =
        names.join(',') !==
        cps
          .map((h) => h.name)
          .sort()
          .join(',')
          ? `etcd lists ${names.join(', ') || 'no member'}`
          : healthy < members.length
            ? `${members.length - healthy} etcd member(s) not healthy`
            : '';
      if (!problem) break;
      await new Promise((r) => setTimeout(r, 2000));
    }
    if (problem)
      throw new StepError(
        `after the restore, ${problem} (want ${cps.map((h) => h.name).join(', ')})`,
        'look at etcd on each control plane (crictl ps --name etcd; its log), then run restore again',
      );
    // admin.conf points at the control-plane endpoint: the VIP and haproxy.
    const api = await ctx.run(
      `for i in $(seq 1 60); do kubectl --kubeconfig /etc/kubernetes/admin.conf get --raw /readyz >/dev/null 2>&1 && exit 0; sleep 2; done; exit 1`,
      { allowFail: true, label: 'wait up to 120 s for the API through the control-plane endpoint (the VIP)' },
    );
    if (api.code !== 0)
      throw new StepError(
        'etcd is back, but the API does not answer through the control-plane endpoint after 120 s',
        `look at the apiservers (${kubectlOn(ctx.node)} get --raw /readyz) and haproxy`,
      );
    const r = await ctx.probe(etcdApi('/v3/maintenance/status'));
    ctx.notice(
      `restored: etcd has ${cps.length} healthy member(s)${/"revision":"?(\d+)/.exec(r.stdout) ? ` at revision ${/"revision":"?(\d+)/.exec(r.stdout)![1]}` : ''}; the API answers through the VIP`,
    );
  },
};
