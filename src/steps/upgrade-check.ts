// Before an upgrade touches anything: the cluster's version (kubeadm's ClusterConfiguration), the
// target (the answers the upgrade runs with) at most one minor up and never down, every node Ready,
// every etcd member healthy, the kubelets within the skew the target allows, and certificates that
// do not expire during the upgrade. Anything else is a refusal (exit 2) that changed nothing.
import { resolvedVersion } from '../answers/model.js';
import { firstExpiry } from './cert-renewal.js';
import { clusterControlPlane, kubectlOn } from './cluster-host.js';
import type { StepContext } from './engine/context.js';
import { Refusal, StepError } from './engine/failure.js';
import type { Step } from './engine/step.js';
import { etcdMembers } from './etcd-members.js';
import { memberHealth } from './removal.js';

export interface KubeVersion {
  minor: number;
  patch: number;
  text: string;
}

export function kubeVersion(v: string): KubeVersion | undefined {
  const m = /^v?1\.(\d+)\.(\d+)/.exec(v.trim());
  return m ? { minor: +m[1]!, patch: +m[2]!, text: `1.${m[1]}.${m[2]}` } : undefined;
}

export const olderThan = (a: KubeVersion, b: KubeVersion) =>
  a.minor !== b.minor ? a.minor < b.minor : a.patch < b.patch;

/** The kubelet may be up to three minors older than the apiserver, never newer. */
export const KUBELET_SKEW = 3;

export interface NodeVersion {
  name: string;
  kubelet: string;
  ready: boolean;
}

/** The nodes as the API lists them: kubelet version and Ready. */
export async function nodeVersions(ctx: StepContext): Promise<NodeVersion[]> {
  const on = clusterControlPlane(ctx.answers, ctx.svc);
  const r = await ctx.probeOn(
    on,
    `${kubectlOn(on)} get nodes -o jsonpath='{range .items[*]}{.metadata.name}{"\\t"}{.status.nodeInfo.kubeletVersion}{"\\t"}{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}'`,
    { timeoutMs: 30_000 },
  );
  if (r.code !== 0)
    throw new StepError(
      `the API on ${on.name} does not list the nodes: ${r.stderr.trim().split('\n').pop() ?? ''}`,
      'check the control plane (k8sha-wizard status), then run the upgrade again; nothing was changed',
    );
  return r.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [name = '', kubelet = '', ready = ''] = l.split('\t');
      return { name, kubelet, ready: ready === 'True' };
    });
}

/** The version kubeadm upgraded the control plane to last (its ClusterConfiguration). */
export async function clusterVersion(ctx: StepContext): Promise<KubeVersion> {
  const on = clusterControlPlane(ctx.answers, ctx.svc);
  const r = await ctx.probeOn(
    on,
    `${kubectlOn(on)} -n kube-system get configmap kubeadm-config -o jsonpath='{.data.ClusterConfiguration}'`,
    { timeoutMs: 30_000 },
  );
  const v = kubeVersion(/kubernetesVersion:\s*['"]?(v?[\d.]+)/.exec(r.stdout)?.[1] ?? '');
  if (r.code !== 0 || !v)
    throw new StepError(
      `the cluster's version cannot be read on ${on.name} (kube-system/kubeadm-config)`,
      'check the control plane (k8sha-wizard status), then run the upgrade again; nothing was changed',
    );
  return v;
}

export const targetVersion = (ctx: StepContext): KubeVersion =>
  kubeVersion(resolvedVersion(ctx.answers, ctx.catalog).patch)!;

export const upgradeCheck: Step = {
  id: 'upgrade-check',
  title: 'Can the cluster be upgraded?',
  phase: 'check',
  scope: 'cluster',
  appliesTo: () => true,
  runsOn: (a, svc) => clusterControlPlane(a, svc),
  retry: { tries: 1, delayMs: 0 },
  skippable: false,
  // Asked every run (also on resume): the cluster may have changed since.
  check: async () => false,
  async apply(ctx) {
    const target = targetVersion(ctx);
    const from = (ctx.svc.context().upgradeFrom as string | undefined) ?? (await clusterVersion(ctx)).text;
    const current = kubeVersion(from)!;
    if (olderThan(target, current))
      throw new Refusal(
        `the cluster runs ${current.text}; ${target.text} would be a downgrade, which kubeadm does not do`,
        'restore an etcd backup taken before the upgrade instead (k8sha-wizard restore)',
      );
    if (target.minor > current.minor + 1)
      throw new Refusal(
        `the cluster runs ${current.text}; ${target.text} skips a minor. Kubernetes upgrades one minor at a time`,
        `upgrade to 1.${current.minor + 1} first, then to 1.${target.minor}`,
      );
    ctx.svc.setContext('upgradeFrom', current.text);
    const nodes = await nodeVersions(ctx);
    const missing = ctx.answers.hosts.filter((h) => !nodes.some((n) => n.name === h.name)).map((h) => h.name);
    const notReady = nodes.filter((n) => !n.ready).map((n) => n.name);
    if (missing.length || notReady.length)
      throw new Refusal(
        `every node must be Ready before an upgrade: ${[...notReady.map((n) => `${n} is not Ready`), ...missing.map((n) => `${n} is not in the cluster`)].join('; ')}`,
        'bring them back (k8sha-wizard status shows why), or take a dead node out with k8sha-wizard remove',
      );
    const tooOld = nodes.filter((n) => {
      const k = kubeVersion(n.kubelet);
      return !k || k.minor < target.minor - KUBELET_SKEW;
    });
    const tooNew = nodes.filter((n) => {
      const k = kubeVersion(n.kubelet);
      return k && olderThan(target, k);
    });
    if (tooOld.length || tooNew.length)
      throw new Refusal(
        `kubelet versions outside what ${target.text} supports: ${[...tooOld, ...tooNew].map((n) => `${n.name} runs ${n.kubelet}`).join(', ')}`,
        `a kubelet may be up to ${KUBELET_SKEW} minors older than the control plane and never newer`,
      );
    const on = ctx.node;
    const members = (await etcdMembers(ctx, on)) ?? [];
    const health = await memberHealth(ctx, on, members);
    const sick = members.filter((m) => !health.get(m.id)).map((m) => m.name || m.id);
    if (!members.length || sick.length)
      throw new Refusal(
        members.length
          ? `etcd members are not healthy: ${sick.join(', ')}`
          : `etcd's member list cannot be read on ${on.name}`,
        'an upgrade restarts every etcd member in turn; start from a healthy etcd (k8sha-wizard status)',
      );
    const certs = await ctx.probe('kubeadm certs check-expiration', { timeoutMs: 30_000 });
    const first = certs.code === 0 ? firstExpiry(certs.stdout) : undefined;
    if (first && first.at.getTime() - Date.now() < 7 * 86_400_000)
      throw new Refusal(
        `the certificate ${first.name} expires on ${first.at.toISOString().slice(0, 10)}, within a week`,
        'renew the certificates first (kubeadm certs renew all on each control plane, or the renewal timer), then upgrade',
      );
    const behind = nodes.filter((n) => kubeVersion(n.kubelet)?.text !== target.text).length;
    if (!behind && !olderThan(current, target)) ctx.svc.setContext('upgradeNothingToDo', true);
    ctx.notice(
      `upgrade ${current.text} → ${target.text}: ${behind} of ${nodes.length} node(s) to upgrade, etcd ${members.length} healthy member(s)`,
    );
  },
};
