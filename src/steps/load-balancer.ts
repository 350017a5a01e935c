// Step 5 (control planes): haproxy, keepalived and the check script, enabled and running.
import type { Step } from './engine/step.js';
import { HAPROXY_CONFIG_PATH } from '../render/haproxy.js';
import { CHECK_SCRIPT_PATH, KEEPALIVED_CONFIG_PATH } from '../render/keepalived.js';
import {
  install,
  installedVersion,
  unitActive,
  unitEnabled,
  upToDate,
  unitReads,
  fileReads,
} from './packages.js';

const UNITS = ['haproxy', 'keepalived'];

export const loadBalancer: Step = {
  id: 'load-balancer',
  title: 'Load balancer (haproxy + keepalived)',
  phase: 'lb',
  scope: 'node',
  appliesTo: (h, a) => h.role === 'control-plane' && !!a.loadBalancer,
  retry: { tries: 3, delayMs: 3000 },
  skippable: false,
  reads: (ctx) => [
    ...unitReads(ctx, UNITS),
    ...fileReads(ctx, [HAPROXY_CONFIG_PATH, KEEPALIVED_CONFIG_PATH, CHECK_SCRIPT_PATH]),
  ],
  async check(ctx) {
    for (const u of UNITS)
      if (!(await installedVersion(ctx, u)) || !(await unitActive(ctx, u)) || !(await unitEnabled(ctx, u)))
        return false;
    for (const p of [HAPROXY_CONFIG_PATH, KEEPALIVED_CONFIG_PATH, CHECK_SCRIPT_PATH])
      if (!(await upToDate(ctx, p))) return false;
    return true;
  },
  async apply(ctx) {
    const missing: string[] = [];
    for (const u of UNITS) if (!(await installedVersion(ctx, u))) missing.push(u);
    await install(ctx, missing);
    await ctx.ensureFile(ctx.file(CHECK_SCRIPT_PATH));
    const haproxyChanged = await ctx.ensureFile(ctx.file(HAPROXY_CONFIG_PATH));
    const keepalivedChanged = await ctx.ensureFile(ctx.file(KEEPALIVED_CONFIG_PATH));
    await ctx.run(`systemctl enable ${UNITS.join(' ')}`);
    if (haproxyChanged || !(await unitActive(ctx, 'haproxy'))) await ctx.run('systemctl restart haproxy');
    if (keepalivedChanged || !(await unitActive(ctx, 'keepalived')))
      await ctx.run('systemctl restart keepalived');
    await ctx.run(`systemctl is-active ${UNITS.join(' ')}`);
  },
};
