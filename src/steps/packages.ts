// Package-manager helpers shared by the runtime, Kubernetes and load-balancer steps.
import type { StepContext } from './engine/context.js';
import { packageQueryRead } from './engine/package-query.js';
import { quote } from './transport/shell.js';

/** Installed version (full package version) or undefined. Read-only. */
export async function installedVersion(ctx: StepContext, pkg: string): Promise<string | undefined> {
  const r = await ctx.probe(installedRead(ctx, pkg));
  if (ctx.family === 'rhel') {
    if (r.code !== 0) return undefined;
    const line = r.stdout.trim().split('\n')[0] ?? '';
    return line.slice(pkg.length + 1).replace(/\.(x86_64|aarch64|noarch)$/, '');
  }
  if (r.code !== 0 || !/Status: \w+ ok installed/.test(r.stdout)) return undefined;
  return /^Version: (.+)$/m.exec(r.stdout)?.[1]?.trim();
}

/** Install packages with the node's package manager. `specs` are already versioned if needed. */
export async function install(
  ctx: StepContext,
  specs: string[],
  opts: { kubernetesRepo?: boolean } = {},
): Promise<void> {
  if (specs.length === 0) return;
  const list = specs.map(quote).join(' ');
  if (ctx.family === 'rhel') {
    await ctx.run(`dnf install -y ${list}${opts.kubernetesRepo ? ' --disableexcludes=kubernetes' : ''}`, {
      timeoutMs: 20 * 60_000,
    });
  } else {
    await ctx.run('apt-get update -q', { timeoutMs: 10 * 60_000 });
    await ctx.run(`apt-get install -y -q --allow-change-held-packages ${list}`, { timeoutMs: 20 * 60_000 });
  }
}

/** The signing key apt needs for a .list file (fetched once; the key is the same for every minor). */
export async function ensureAptKey(ctx: StepContext, path: string, url: string): Promise<void> {
  const have = await ctx.probe(`test -s ${quote(path)}`);
  if (have.code === 0) return;
  await ctx.run(
    `mkdir -p -m 755 /etc/apt/keyrings && curl -fsSL --retry 3 ${quote(url)} -o ${quote(path)} && chmod 644 ${quote(path)}`,
  );
}

/** Whether a rendered file is already on the node as rendered (read-only). */
export function upToDate(ctx: StepContext, path: string): Promise<boolean> {
  return ctx.isUpToDate(ctx.file(path));
}

export async function unitActive(ctx: StepContext, unit: string): Promise<boolean> {
  return (await ctx.probe(unitActiveRead(unit))).code === 0;
}

export async function unitEnabled(ctx: StepContext, unit: string): Promise<boolean> {
  return (await ctx.probe(unitEnabledRead(unit))).code === 0;
}

// The reads above, by name, so a step can list them for one round trip (Step.reads).
export function installedRead(ctx: StepContext, pkg: string): string {
  return packageQueryRead(ctx.family, pkg);
}

export const unitActiveRead = (unit: string) => `systemctl is-active --quiet ${quote(unit)}`;
export const unitEnabledRead = (unit: string) => `systemctl is-enabled --quiet ${quote(unit)}`;

/** Installed, running and enabled: the reads for each unit. */
export function unitReads(ctx: StepContext, units: string[], pkgs = units): string[] {
  return [
    ...pkgs.map((p) => installedRead(ctx, p)),
    ...units.flatMap((u) => [unitActiveRead(u), unitEnabledRead(u)]),
  ];
}

/** The reads of rendered files' state. */
export function fileReads(ctx: StepContext, paths: string[]): string[] {
  return paths.map((p) => ctx.fileRead(ctx.file(p)));
}
