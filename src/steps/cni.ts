// Step 9: Calico with CALICO_IPV4POOL_CIDR = podCIDR. The kube-proxy mode is already in the kubeadm
// config (IPVS in the seed), so nothing is edited after the fact as the seed's 8.4 did.
import { resolvedVersion } from '../answers/model.js';
import { clusterControlPlane } from './cluster-host.js';
import type { Step } from './engine/step.js';
import { KUBECTL, runClusterScript } from './cluster-script.js';

export const cni: Step = {
  id: 'cni',
  title: 'Calico network',
  phase: 'cni',
  scope: 'cluster',
  appliesTo: () => true,
  runsOn: (a, svc) => clusterControlPlane(a, svc),
  retry: { tries: 3, delayMs: 10_000 },
  skippable: false,
  async check(ctx) {
    return (await ctx.probe(`${KUBECTL} -n kube-system get daemonset calico-node`)).code === 0;
  },
  apply: (ctx) => runClusterScript(ctx, 'cni/install-calico.sh'),
};

/** After an upgrade: Calico at the version the catalog pairs with the new minor, where it changes. */
export const cniUpgrade: Step = {
  ...cni,
  id: 'cni-upgrade',
  title: 'Calico at the version for the new minor',
  async check(ctx) {
    const want = ctx.catalog.kubernetes[resolvedVersion(ctx.answers, ctx.catalog).minor]?.calico.version;
    const r = await ctx.probe(
      `${KUBECTL} -n kube-system get daemonset calico-node -o jsonpath='{.spec.template.spec.containers[0].image}'`,
    );
    return r.code === 0 && !!want && r.stdout.trim().endsWith(`:${want}`);
  },
};
