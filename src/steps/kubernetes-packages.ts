// Step 4 (every node): the pkgs.k8s.io repository (or its mirror) for the node's OS family;
// kubelet, kubeadm and kubectl at the exact version, held (apt) or excluded (yum); kubelet enabled.
import { resolvedVersion } from '../answers/model.js';
import { aptKeys } from '../render/repos.js';
import type { Step } from './engine/step.js';
import type { StepContext } from './engine/context.js';
import {
  ensureAptKey,
  install,
  installedVersion,
  unitEnabled,
  upToDate,
  installedRead,
  unitEnabledRead,
  fileReads,
} from './packages.js';

const CORE = ['kubelet', 'kubeadm', 'kubectl'];

function repoFile(ctx: StepContext): string {
  return ctx.family === 'rhel'
    ? '/etc/yum.repos.d/kubernetes.repo'
    : '/etc/apt/sources.list.d/kubernetes.list';
}

function wanted(ctx: StepContext): { version: string; spec: (name: string) => string; extras: string[] } {
  const version = resolvedVersion(ctx.answers, ctx.catalog).patch;
  const pk = ctx.catalog.kubernetesPackages;
  const extras = ctx.answers.network.proxyMode === 'ipvs' ? ['ipset', 'ipvsadm'] : [];
  return {
    version,
    spec: (n) =>
      ctx.family === 'rhel' ? `${n}-${version}-${pk.rpmRelease}` : `${n}=${version}-${pk.debRevision}`,
    extras,
  };
}

async function versionsMatch(ctx: StepContext): Promise<boolean> {
  const { version } = wanted(ctx);
  for (const n of CORE) {
    const v = await installedVersion(ctx, n);
    if (!v?.startsWith(`${version}-`)) return false;
  }
  return true;
}

const HOLDS = 'apt-mark showhold';

async function held(ctx: StepContext): Promise<boolean> {
  if (ctx.family === 'rhel') return true; // the repo file's exclude= line does this on dnf
  const r = await ctx.probe(HOLDS);
  const holds = new Set(r.stdout.split(/\s+/));
  return CORE.every((n) => holds.has(n));
}

export const kubernetesPackages: Step = {
  id: 'kubernetes-packages',
  title: 'Kubernetes packages',
  phase: 'packages',
  scope: 'node',
  appliesTo: () => true,
  retry: { tries: 3, delayMs: 5000 },
  skippable: false,
  reads: (ctx) => [
    ...fileReads(ctx, [repoFile(ctx)]),
    ...[...CORE, ...wanted(ctx).extras].map((p) => installedRead(ctx, p)),
    ...(ctx.family === 'debian' ? [HOLDS] : []),
    unitEnabledRead('kubelet'),
  ],
  async check(ctx) {
    if (!(await upToDate(ctx, repoFile(ctx))) || !(await versionsMatch(ctx)) || !(await held(ctx)))
      return false;
    for (const x of wanted(ctx).extras) if (!(await installedVersion(ctx, x))) return false;
    return unitEnabled(ctx, 'kubelet');
  },
  async apply(ctx) {
    if (ctx.family === 'debian') {
      const key = aptKeys(ctx.answers, ctx.catalog, ctx.facts).find((k) => k.path.includes('kubernetes'))!;
      await ensureAptKey(ctx, key.path, key.url);
    }
    await ctx.ensureFile(ctx.file(repoFile(ctx)));
    const w = wanted(ctx);
    const missingExtras: string[] = [];
    for (const x of w.extras) if (!(await installedVersion(ctx, x))) missingExtras.push(x);
    if (!(await versionsMatch(ctx)))
      await install(ctx, [...CORE.map(w.spec), ...missingExtras], { kubernetesRepo: true });
    else if (missingExtras.length) await install(ctx, missingExtras);
    if (ctx.family === 'debian' && !(await held(ctx))) await ctx.run(`apt-mark hold ${CORE.join(' ')}`);
    await ctx.run('systemctl enable kubelet');
    // The runtime answers through the CRI (crictl comes with cri-tools, a kubeadm dependency).
    await ctx.run('crictl info >/dev/null');
  },
};
