// Step 12: admin.conf to the operator machine as ~/.kube/<cluster>.conf (0600); its server is the VIP.
import { clusterControlPlane } from './cluster-host.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiEndpointText } from '../answers/model.js';
import type { Step } from './engine/step.js';
import type { StepContext } from './engine/context.js';
import { StepError } from './engine/failure.js';

export function kubeconfigPath(ctx: StepContext): string {
  return join(ctx.svc.kubeconfigDir, `${ctx.answers.cluster.name}.conf`);
}

async function remoteConfig(ctx: StepContext): Promise<Buffer> {
  return ctx.svc.transport(ctx.node.name).download('/etc/kubernetes/admin.conf');
}

export const fetchKubeconfig: Step = {
  id: 'fetch-kubeconfig',
  title: 'Fetch the admin kubeconfig',
  phase: 'verify',
  scope: 'cluster',
  appliesTo: () => true,
  runsOn: (a, svc) => clusterControlPlane(a, svc),
  retry: { tries: 3, delayMs: 3000 },
  skippable: true,
  async check(ctx) {
    const p = kubeconfigPath(ctx);
    if (!existsSync(p)) return false;
    return Buffer.compare(readFileSync(p), await remoteConfig(ctx)) === 0;
  },
  async apply(ctx) {
    const p = kubeconfigPath(ctx);
    const want = `https://${apiEndpointText(ctx.answers)}`;
    const server = (
      await ctx.probe(`sed -n 's/^ *server: *//p' /etc/kubernetes/admin.conf | head -n 1`)
    ).stdout.trim();
    if (server && server !== want)
      throw new StepError(
        `admin.conf on ${ctx.node.name} points at ${server}, not the endpoint ${want}`,
        'the cluster was initialized with another controlPlaneEndpoint; it cannot be made HA in place',
      );
    ctx.announce(`copy /etc/kubernetes/admin.conf to ${p}`);
    ctx.svc.writeLocal(p, await remoteConfig(ctx), 0o600);
    ctx.markChanged();
  },
};
