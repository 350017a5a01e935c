// One node's upgrade, in kubeadm's order: its package repository on the new minor and kubeadm at
// the target; `kubeadm upgrade apply` on the first control plane (after `upgrade plan`) and
// `kubeadm upgrade node` everywhere else; drain with evictions; kubelet and kubectl at the target,
// while it is drained, containerd and its sandbox (pause) image as the new minor's catalog entry has
// them; kubelet restarted, the node Ready at the new version; uncordon. Each check asks the node and
// the API, so a rerun after kill -9 goes on at the node and phase where it stopped.
import { resolvedVersion } from '../answers/model.js';
import type { Host } from '../answers/schema.js';
import { aptKeys } from '../render/repos.js';
import { clusterControlPlane, kubectlOn } from './cluster-host.js';
import type { StepContext } from './engine/context.js';
import { StepError } from './engine/failure.js';
import type { Step } from './engine/step.js';
import { ensureAptKey, install, installedVersion, upToDate } from './packages.js';
import { containerdVersion, containerRuntime } from './container-runtime.js';
import { compareSemver } from '../catalog/resolve.js';
import { drainWithEvictions } from './removal.js';
import { quote } from './transport/shell.js';
import { clusterVersion, kubeVersion, nodeVersions, olderThan, targetVersion } from './upgrade-check.js';

const repoFile = (ctx: StepContext) =>
  ctx.family === 'rhel' ? '/etc/yum.repos.d/kubernetes.repo' : '/etc/apt/sources.list.d/kubernetes.list';

function spec(ctx: StepContext, pkg: string): string {
  const v = resolvedVersion(ctx.answers, ctx.catalog).patch;
  const pk = ctx.catalog.kubernetesPackages;
  return ctx.family === 'rhel' ? `${pkg}-${v}-${pk.rpmRelease}` : `${pkg}=${v}-${pk.debRevision}`;
}

async function atTarget(ctx: StepContext, pkg: string): Promise<boolean> {
  return !!(await installedVersion(ctx, pkg))?.startsWith(`${targetVersion(ctx).text}-`);
}

/** Install held packages at the target (apt holds are lifted for this and put back). */
async function upgradePackages(ctx: StepContext, pkgs: string[]): Promise<void> {
  if (ctx.family === 'debian') await ctx.run(`apt-mark unhold ${pkgs.join(' ')}`);
  await install(
    ctx,
    pkgs.map((p) => spec(ctx, p)),
    { kubernetesRepo: true },
  );
  if (ctx.family === 'debian') await ctx.run(`apt-mark hold ${pkgs.join(' ')}`);
}

/** A control plane other than this node answers kubectl while this one restarts. */
const apiHost = (ctx: StepContext): Host => clusterControlPlane(ctx.answers, ctx.svc, ctx.node.name);

async function kubeletAtTarget(ctx: StepContext): Promise<boolean> {
  const me = (await nodeVersions(ctx)).find((n) => n.name === ctx.node.name);
  return !!me && me.ready && kubeVersion(me.kubelet)?.text === targetVersion(ctx).text;
}

async function cordoned(ctx: StepContext): Promise<boolean> {
  const on = apiHost(ctx);
  const r = await ctx.probeOn(
    on,
    `${kubectlOn(on)} get node ${quote(ctx.node.name)} -o jsonpath='{.spec.unschedulable}'`,
  );
  if (r.code !== 0)
    throw new StepError(
      `cannot read ${ctx.node.name}'s Node on ${on.name}`,
      'check the control planes (k8sha-wizard status), then run the upgrade again',
    );
  return r.stdout.trim() === 'true';
}

export const upgradeKubeadm: Step = {
  id: 'upgrade-kubeadm',
  title: 'kubeadm at the target; kubeadm upgrade apply / node',
  phase: 'kubeadm',
  scope: 'node',
  appliesTo: () => true,
  retry: { tries: 2, delayMs: 5000 },
  skippable: false,
  async check(ctx) {
    if (!(await upToDate(ctx, repoFile(ctx))) || !(await atTarget(ctx, 'kubeadm'))) return false;
    if (ctx.node.role !== 'control-plane') return atTarget(ctx, 'kubelet');
    // A control plane is done when its apiserver manifest runs the target.
    const r = await ctx.probe(
      `grep -o 'kube-apiserver:v[0-9.]*' /etc/kubernetes/manifests/kube-apiserver.yaml`,
    );
    return r.stdout.trim() === `kube-apiserver:v${targetVersion(ctx).text}`;
  },
  async apply(ctx) {
    if (ctx.family === 'debian') {
      const key = aptKeys(ctx.answers, ctx.catalog, ctx.facts).find((k) => k.path.includes('kubernetes'))!;
      await ensureAptKey(ctx, key.path, key.url);
    }
    await ctx.ensureFile(ctx.file(repoFile(ctx)));
    if (!(await atTarget(ctx, 'kubeadm'))) await upgradePackages(ctx, ['kubeadm']);
    const target = targetVersion(ctx);
    if (ctx.node.role === 'control-plane' && olderThan(await clusterVersion(ctx), target)) {
      // The first control plane: the cluster's version moves here.
      await ctx.run(`kubeadm upgrade plan v${target.text}`, { timeoutMs: 5 * 60_000 });
      await ctx.run(`kubeadm upgrade apply v${target.text} --yes`, {
        timeoutMs: 20 * 60_000,
        label: `kubeadm upgrade apply v${target.text} --yes (preflight checks kept)`,
      });
    } else {
      await ctx.run('kubeadm upgrade node', { timeoutMs: 20 * 60_000 });
    }
  },
};

export const upgradeDrain: Step = {
  id: 'upgrade-drain',
  title: 'Cordon and drain',
  phase: 'drain',
  scope: 'node',
  appliesTo: () => true,
  retry: { tries: 1, delayMs: 0 },
  skippable: true,
  async check(ctx) {
    // Drained already, or upgraded already (then there is nothing left to drain for).
    return (await kubeletAtTarget(ctx)) || ((await cordoned(ctx)) && (await atTarget(ctx, 'kubelet')));
  },
  async apply(ctx) {
    await drainWithEvictions(ctx, apiHost(ctx), ctx.node);
  },
};

export const upgradeKubelet: Step = {
  id: 'upgrade-kubelet',
  title: 'kubelet and kubectl at the target; Ready',
  phase: 'kubelet',
  scope: 'node',
  appliesTo: () => true,
  retry: { tries: 2, delayMs: 5000 },
  skippable: false,
  async check(ctx) {
    return (
      (await atTarget(ctx, 'kubelet')) && (await atTarget(ctx, 'kubectl')) && (await kubeletAtTarget(ctx))
    );
  },
  async apply(ctx) {
    if (!(await atTarget(ctx, 'kubelet')) || !(await atTarget(ctx, 'kubectl')))
      await upgradePackages(ctx, ['kubelet', 'kubectl']);
    await ctx.run('systemctl daemon-reload && systemctl restart kubelet');
    const on = apiHost(ctx);
    const want = `v${targetVersion(ctx).text}`;
    const wait = await ctx.runOn(
      on,
      `for i in $(seq 1 90); do out=$(${kubectlOn(on)} get node ${quote(ctx.node.name)} -o jsonpath='{.status.nodeInfo.kubeletVersion} {.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null); [ "$out" = ${quote(`${want} True`)} ] && exit 0; sleep 2; done; echo "$out"; exit 1`,
      { allowFail: true, label: `wait up to 180 s for ${ctx.node.name} to be Ready with kubelet ${want}` },
    );
    if (wait.code !== 0)
      throw new StepError(
        `${ctx.node.name} is not Ready with kubelet ${want} after 180 s (it reports: ${wait.stdout.trim() || 'nothing'})`,
        `look at the kubelet there (journalctl -u kubelet); the node stays cordoned until this step succeeds`,
      );
  },
};

export const upgradeUncordon: Step = {
  id: 'upgrade-uncordon',
  title: 'Uncordon',
  phase: 'uncordon',
  scope: 'node',
  appliesTo: () => true,
  retry: { tries: 3, delayMs: 3000 },
  skippable: false,
  async check(ctx) {
    return !(await cordoned(ctx));
  },
  async apply(ctx) {
    const on = apiHost(ctx);
    await ctx.runOn(on, `${kubectlOn(on)} uncordon ${quote(ctx.node.name)}`);
  },
};

/**
 * While the node is drained: containerd and its config as the target minor's catalog entry wants
 * them (its minimum containerd, the sandbox image, the config version that goes with containerd).
 * The check is the install's own, read against the target; unchanged where the minors agree.
 */
export const upgradeRuntime: Step = {
  ...containerRuntime,
  id: 'upgrade-runtime',
  title: 'containerd and sandbox image of the target minor',
  phase: 'kubelet',
  retry: { tries: 2, delayMs: 5000 },
  skippable: false,
  async apply(ctx) {
    const min = resolvedVersion(ctx.answers, ctx.catalog).entry.containerd.minimum;
    const v = await containerdVersion(ctx);
    // `dnf install` of an installed name changes nothing; an upgrade must say so.
    if (v && compareSemver(v, min) < 0)
      await ctx.run(
        ctx.family === 'rhel'
          ? 'dnf upgrade -y containerd.io'
          : 'apt-get update -q && apt-get install -y -q --only-upgrade containerd.io',
        { timeoutMs: 20 * 60_000 },
      );
    // The files for the target, and a restart when they changed (the node has no pods to lose).
    await containerRuntime.apply(ctx);
  },
};

export const UPGRADE_NODE_STEPS = [
  upgradeKubeadm,
  upgradeDrain,
  upgradeRuntime,
  upgradeKubelet,
  upgradeUncordon,
];
