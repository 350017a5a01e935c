// Step 12: admin.conf to the operator machine as ~/.kube/<cluster>.conf (0600); its server is the VIP.
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { apiEndpointText, initNode } from '../answers/model.js';
import { writeFileAtomic } from '../state/atomic-write.js';
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
  runsOn: initNode,
  retry: { tries: 3, delayMs: 3000 },
  skippable: true,
  async check(ctx) {
    const p = kubeconfigPath(ctx);
    if (ctx.svc.dryRun || !existsSync(p)) return false;
    return Buffer.compare(readFileSync(p), await remoteConfig(ctx)) === 0;
  },
  async apply(ctx) {
    const p = kubeconfigPath(ctx);
    ctx.announce(`copy /etc/kubernetes/admin.conf to ${p}`);
    if (ctx.svc.dryRun) return;
    const data = await remoteConfig(ctx);
    const server = (parse(data.toString('utf8')) as { clusters?: { cluster?: { server?: string } }[] })
      .clusters?.[0]?.cluster?.server;
    const want = `https://${apiEndpointText(ctx.answers)}`;
    if (server !== want)
      throw new StepError(
        `admin.conf on ${ctx.node.name} points at ${server}, not the endpoint ${want}`,
        'the cluster was initialized with another controlPlaneEndpoint; it cannot be made HA in place',
      );
    mkdirSync(ctx.svc.kubeconfigDir, { recursive: true, mode: 0o700 });
    writeFileAtomic(p, data, 0o600);
    chmodSync(p, 0o600);
    ctx.markChanged();
  },
};
