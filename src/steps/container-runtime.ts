// Step 3 (every node): containerd.io from the Docker CE repository of the chosen mirror, with the
// rendered config.toml (systemd cgroups, the mirror's pause image), started and checked.
import { compareSemver } from '../catalog/resolve.js';
import { resolvedVersion } from '../answers/model.js';
import { aptKeys } from '../render/repos.js';
import type { Step } from './engine/step.js';
import type { StepContext } from './engine/context.js';
import { StepError } from './engine/failure.js';
import {
  ensureAptKey,
  install,
  installedVersion,
  unitActive,
  unitEnabled,
  upToDate,
  unitReads,
  fileReads,
} from './packages.js';

function repoFile(ctx: StepContext): string {
  return ctx.family === 'rhel' ? '/etc/yum.repos.d/docker-ce.repo' : '/etc/apt/sources.list.d/docker.list';
}

const CONTAINERD_VERSION = 'containerd --version 2>/dev/null';
const FILES = ['/etc/containerd/config.toml', '/etc/crictl.yaml'];

export async function containerdVersion(ctx: StepContext): Promise<string | undefined> {
  const r = await ctx.probe(CONTAINERD_VERSION);
  return /\b(\d+\.\d+\.\d+)\b/.exec(r.stdout)?.[1];
}

export const containerRuntime: Step = {
  id: 'container-runtime',
  title: 'Container runtime (containerd)',
  phase: 'runtime',
  scope: 'node',
  appliesTo: () => true,
  retry: { tries: 3, delayMs: 5000 },
  skippable: false,
  reads: (ctx) => [
    CONTAINERD_VERSION,
    ...fileReads(ctx, [repoFile(ctx), ...FILES]),
    ...unitReads(ctx, ['containerd'], ['containerd.io']),
  ],
  async check(ctx) {
    const min = resolvedVersion(ctx.answers, ctx.catalog).entry.containerd.minimum;
    const v = await containerdVersion(ctx);
    return (
      !!v &&
      compareSemver(v, min) >= 0 &&
      (await upToDate(ctx, repoFile(ctx))) &&
      (await upToDate(ctx, '/etc/containerd/config.toml')) &&
      (await upToDate(ctx, '/etc/crictl.yaml')) &&
      (await unitActive(ctx, 'containerd')) &&
      (await unitEnabled(ctx, 'containerd'))
    );
  },
  async apply(ctx) {
    if (ctx.family === 'debian') {
      const key = aptKeys(ctx.answers, ctx.catalog, ctx.facts).find((k) => k.path.endsWith('docker.asc'))!;
      await ensureAptKey(ctx, key.path, key.url);
    }
    await ctx.ensureFile(ctx.file(repoFile(ctx)));
    // The config goes first: the package then keeps it instead of installing its CRI-less default.
    const configChanged = await ctx.ensureFile(ctx.file('/etc/containerd/config.toml'));
    await ctx.ensureFile(ctx.file('/etc/crictl.yaml'));
    if (!(await installedVersion(ctx, 'containerd.io'))) await install(ctx, ['containerd.io']);
    const min = resolvedVersion(ctx.answers, ctx.catalog).entry.containerd.minimum;
    const v = await containerdVersion(ctx);
    if (v && compareSemver(v, min) < 0) {
      throw new StepError(
        `containerd ${v} is older than ${min}, which Kubernetes ${resolvedVersion(ctx.answers, ctx.catalog).minor} needs`,
        'upgrade containerd.io from the Docker CE repository, or pick an older Kubernetes minor',
      );
    }
    await ctx.run('systemctl enable containerd');
    if (configChanged || !(await unitActive(ctx, 'containerd')))
      await ctx.run('systemctl restart containerd');
    await ctx.run('systemctl is-active containerd');
  },
};
