// Optional (--failover-drill): stop the load balancer on the VIP holder (haproxy, or the kube-vip
// static pod), see the VIP move and the API stay up through it, then start it again. The waits run
// on the hosts, so each is one round trip.
import { clusterControlPlane } from './cluster-host.js';
import { controlPlanes, usesKubeVip, vipAddress } from '../answers/model.js';
import type { Answers } from '../answers/schema.js';
import { KUBE_VIP_MANIFEST_PATH } from '../render/kube-vip.js';
import type { Host } from '../answers/schema.js';
import type { Step } from './engine/step.js';
import type { StepContext } from './engine/context.js';
import { StepError } from './engine/failure.js';
import { quote } from './transport/shell.js';

/** The control plane that holds the VIP now, asked of all of them at once. */
async function holder(ctx: StepContext): Promise<Host | undefined> {
  const vip = vipAddress(ctx.answers)!;
  const cps = controlPlanes(ctx.answers);
  const held = await Promise.all(
    cps.map(
      async (h) => (await ctx.probeOn(h, `ip -o -4 addr show | grep -q ${quote(` ${vip}/`)}`)).code === 0,
    ),
  );
  return cps.find((_, i) => held[i]);
}

/** What the drill stops on the holder and starts again, by load-balancer mode. */
function lbSwitch(a: Answers): { what: string; stop: string; start: string; hint: string } {
  // The kubelet stops a static pod whose manifest leaves the directory, and starts it when it is back.
  const aside = '/etc/kubernetes/kube-vip.yaml.failover-drill';
  return usesKubeVip(a)
    ? {
        what: 'kube-vip',
        stop: `mv ${KUBE_VIP_MANIFEST_PATH} ${aside}`,
        start: `if [ -f ${aside} ]; then mv ${aside} ${KUBE_VIP_MANIFEST_PATH}; fi`,
        hint: 'look at kube-vip on the other control planes (crictl ps --name kube-vip) and the Lease kube-system/plndr-cp-lock',
      }
    : {
        what: 'haproxy',
        stop: 'systemctl stop haproxy',
        start: 'systemctl start haproxy',
        hint: 'check the keepalived check scripts (check_apiserver.sh lb) and VRRP between the control planes',
      };
}

export const failoverDrill: Step = {
  id: 'failover-drill',
  title: 'Failover drill (stop the load balancer on the VIP holder)',
  phase: 'verify',
  scope: 'cluster',
  appliesTo: (_h, a) => !!a.loadBalancer && controlPlanes(a).length > 1,
  runsOn: (a, svc) => clusterControlPlane(a, svc),
  // Only when asked (--failover-drill): it takes a control plane's load balancer down for a moment.
  enabled: (choices) => choices.failoverDrill,
  retry: { tries: 1, delayMs: 0 },
  skippable: true,
  check: async () => false,
  async apply(ctx) {
    const lb = ctx.answers.loadBalancer!;
    const vip = vipAddress(ctx.answers)!;
    const url = `https://${vip}:${lb.port}/healthz`;
    const sw = lbSwitch(ctx.answers);
    // keepalived prefers the first control plane (highest priority) when no holder can be seen.
    const from = (await holder(ctx)) ?? ctx.node;
    await ctx.runOn(from, sw.stop);
    try {
      const started = Date.now();
      const left = await ctx.runOn(
        from,
        `for i in $(seq 1 75); do ip -o -4 addr show | grep -q ${quote(` ${vip}/`)} || exit 0; sleep 0.2; done; exit 1`,
        { allowFail: true, label: `wait up to 15 s for the VIP to leave ${from.name}` },
      );
      if (left.code !== 0)
        throw new StepError(
          `the VIP stayed on ${from.name} for 15 s after ${sw.what} stopped there`,
          sw.hint,
        );
      const movedMs = Date.now() - started;
      const other = controlPlanes(ctx.answers).find((h) => h.name !== from.name)!;
      const api = await ctx.runOn(
        other,
        `for i in $(seq 1 20); do curl -sfk --max-time 2 ${quote(url)} >/dev/null && exit 0; sleep 0.5; done; exit 1`,
        { allowFail: true, label: `wait up to 10 s for the API to answer through the VIP (${url})` },
      );
      if (api.code !== 0)
        throw new StepError(
          `the VIP left ${from.name}, but the API did not answer through it within 10 s`,
          sw.hint,
        );
      const to = await holder(ctx);
      ctx.notice(
        `failover drill: the VIP moved from ${from.name}${to ? ` to ${to.name}` : ''} in ${movedMs} ms; the API answered through it`,
      );
    } finally {
      await ctx.runOn(from, sw.start);
    }
  },
};
