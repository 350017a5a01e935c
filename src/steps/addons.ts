// Step 10: the dashboard, when chosen (Kuboard, as the seed). Prints its URL and how to get a token.
import { clusterControlPlane } from './cluster-host.js';
import { dashboardAccess } from '../render/dashboard.js';
import type { Step } from './engine/step.js';
import { KUBECTL, runClusterScript } from './cluster-script.js';

export const addons: Step = {
  id: 'dashboard',
  title: 'Dashboard (Kuboard)',
  phase: 'addons',
  scope: 'cluster',
  appliesTo: (_h, a) => a.addons.dashboard === 'kuboard',
  runsOn: (a, svc) => clusterControlPlane(a, svc),
  retry: { tries: 3, delayMs: 10_000 },
  skippable: true,
  async check(ctx) {
    const ns = ctx.catalog.addons.kuboard.namespace;
    return (
      (
        await ctx.probe(
          // One kubectl for both: it exits non-zero when either is missing.
          `${KUBECTL} -n ${ns} get deployment/kuboard-v3 serviceaccount/kuboard-admin -o name`,
        )
      ).code === 0
    );
  },
  async apply(ctx) {
    await runClusterScript(ctx, 'addons/install-kuboard.sh');
    const access = dashboardAccess(ctx.answers, ctx.catalog);
    if (access)
      ctx.notice(`Kuboard: ${access.url}; a login token: ${access.tokenCommand}. ${access.notes.join(' ')}`);
  },
};
