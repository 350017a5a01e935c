// Optional (--failover-drill): stop haproxy on the VIP holder, see the VIP move and the API stay up
// through it, then restore haproxy.
import { controlPlanes, initNode, vipAddress } from '../answers/model.js';
import type { Host } from '../answers/schema.js';
import type { Step } from './engine/step.js';
import type { StepContext } from './engine/context.js';
import { StepError } from './engine/failure.js';
import { quote } from './transport/shell.js';

async function holder(ctx: StepContext): Promise<Host | undefined> {
  const vip = vipAddress(ctx.answers)!;
  for (const h of controlPlanes(ctx.answers)) {
    const r = await ctx.probeOn(h, `ip -o -4 addr show | grep -q ${quote(` ${vip}/`)}`);
    if (r.code === 0) return h;
  }
  return undefined;
}

async function poll<T>(
  fn: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<{ value?: T; ms: number }> {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (v !== undefined) return { value: v, ms: Date.now() - start };
    if (Date.now() - start > timeoutMs) return { ms: Date.now() - start };
    await new Promise((r) => setTimeout(r, 200));
  }
}

export const failoverDrill: Step = {
  id: 'failover-drill',
  title: 'Failover drill (stop haproxy on the VIP holder)',
  phase: 'verify',
  scope: 'cluster',
  appliesTo: (_h, a) => !!a.loadBalancer && controlPlanes(a).length > 1,
  runsOn: initNode,
  retry: { tries: 1, delayMs: 0 },
  skippable: true,
  async check(ctx) {
    return !ctx.svc.failoverDrill;
  },
  async apply(ctx) {
    const lb = ctx.answers.loadBalancer!;
    const url = `https://${vipAddress(ctx.answers)}:${lb.port}/healthz`;
    if (ctx.svc.dryRun) {
      await ctx.run('systemctl stop haproxy   # on the VIP holder');
      await ctx.run('systemctl start haproxy  # after the VIP moved');
      return;
    }
    const from = await holder(ctx);
    if (!from)
      throw new StepError(
        'no control plane holds the VIP, so there is nothing to fail over',
        'check keepalived on the control planes',
      );
    await ctx.runOn(from, 'systemctl stop haproxy');
    try {
      const moved = await poll(async () => {
        const h = await holder(ctx);
        return h && h.name !== from.name ? h : undefined;
      }, 15_000);
      if (!moved.value)
        throw new StepError(
          `the VIP stayed on ${from.name} for ${moved.ms} ms after haproxy stopped there`,
          'check the keepalived check scripts (check_apiserver.sh lb) and VRRP between the control planes',
        );
      const other = controlPlanes(ctx.answers).find((h) => h.name !== from.name)!;
      const api = await poll(
        async () =>
          (await ctx.probeOn(other, `curl -sfk --max-time 2 ${quote(url)}`)).code === 0 ? true : undefined,
        10_000,
      );
      if (!api.value)
        throw new StepError(
          `the API did not answer through the VIP on ${moved.value.name}`,
          'check haproxy there',
        );
      ctx.notice(
        `failover drill: VIP moved from ${from.name} to ${moved.value.name} in ${moved.ms} ms; the API answered through it`,
      );
    } finally {
      await ctx.runOn(from, 'systemctl start haproxy');
    }
  },
};
