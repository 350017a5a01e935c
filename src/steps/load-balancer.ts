// Step 5 (control planes): haproxy, keepalived and the check script, enabled and running; and the
// rolling update of their configuration on a running cluster.
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
  unitActiveRead,
} from './packages.js';
import { usesHaproxy, vipAddress } from '../answers/model.js';
import { GENERATED_HEADER } from '../render/types.js';
import type { StepContext } from './engine/context.js';
import { quote } from './transport/shell.js';
import { waitForVip } from './vip-ready.js';

const UNITS = ['haproxy', 'keepalived'];
const FILES = [HAPROXY_CONFIG_PATH, KEEPALIVED_CONFIG_PATH, CHECK_SCRIPT_PATH];

/** haproxy already runs a configuration this tool wrote: the node serves the VIP's traffic now. */
const SERVING = `systemctl is-active --quiet haproxy && grep -qF ${quote(GENERATED_HEADER)} ${HAPROXY_CONFIG_PATH}`;

async function serving(ctx: StepContext): Promise<boolean> {
  return (await ctx.probe(SERVING)).code === 0;
}

/**
 * Step 5 sets up the load balancer where it does not run yet. A control plane that already serves
 * keeps its configuration here, even when the answers changed (control planes added or removed):
 * rewriting and restarting every one at once takes the VIP away. load-balancer-update rolls the new
 * configuration out one control plane at a time once the joins are done.
 */
export const loadBalancer: Step = {
  id: 'load-balancer',
  title: 'Load balancer (haproxy + keepalived)',
  phase: 'lb',
  scope: 'node',
  appliesTo: (h, a) => h.role === 'control-plane' && usesHaproxy(a),
  retry: { tries: 3, delayMs: 3000 },
  skippable: false,
  reads: (ctx) => [SERVING, ...unitReads(ctx, UNITS), ...fileReads(ctx, FILES)],
  async check(ctx) {
    for (const u of UNITS)
      if (!(await installedVersion(ctx, u)) || !(await unitActive(ctx, u)) || !(await unitEnabled(ctx, u)))
        return false;
    if (await serving(ctx)) return true;
    for (const p of FILES) if (!(await upToDate(ctx, p))) return false;
    return true;
  },
  async apply(ctx) {
    const missing: string[] = [];
    for (const u of UNITS) if (!(await installedVersion(ctx, u))) missing.push(u);
    await install(ctx, missing);
    if (await serving(ctx)) {
      await ctx.run(`systemctl enable ${UNITS.join(' ')}`);
      if (!(await unitActive(ctx, 'keepalived'))) await ctx.run('systemctl start keepalived');
      return;
    }
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

/**
 * The rendered load-balancer configuration, one control plane at a time (serial): write it, reload
 * haproxy (a new process takes the listeners over, no connection is refused) and keepalived (SIGHUP:
 * the VIP stays where it is), then wait until the VIP answers before the next control plane.
 */
export const loadBalancerUpdate: Step = {
  id: 'load-balancer-update',
  title: 'Load balancer configuration, one control plane at a time',
  phase: 'lb',
  scope: 'node',
  appliesTo: (h, a) => h.role === 'control-plane' && usesHaproxy(a),
  serial: true,
  retry: { tries: 2, delayMs: 3000 },
  skippable: false,
  reads: (ctx) => [...fileReads(ctx, FILES), unitActiveRead('haproxy'), unitActiveRead('keepalived')],
  async check(ctx) {
    for (const p of FILES) if (!(await upToDate(ctx, p))) return false;
    return (await unitActive(ctx, 'haproxy')) && (await unitActive(ctx, 'keepalived'));
  },
  async apply(ctx) {
    await ctx.ensureFile(ctx.file(CHECK_SCRIPT_PATH));
    const haproxyChanged = await ctx.ensureFile(ctx.file(HAPROXY_CONFIG_PATH));
    const keepalivedChanged = await ctx.ensureFile(ctx.file(KEEPALIVED_CONFIG_PATH));
    for (const [unit, changed] of [
      ['haproxy', haproxyChanged],
      ['keepalived', keepalivedChanged],
    ] as const) {
      if (!(await unitActive(ctx, unit))) await ctx.run(`systemctl restart ${unit}`);
      else if (changed) await ctx.run(`systemctl reload ${unit}`);
    }
    await waitForVip(
      ctx,
      30,
      `the VIP ${vipAddress(ctx.answers)} stopped answering after the load balancer on ${ctx.node.name} was reconfigured`,
      `look at haproxy and keepalived there (journalctl -u haproxy -u keepalived); the other control planes still have their previous configuration`,
    );
  },
};
