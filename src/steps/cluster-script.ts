// Cluster-level scripts (Calico, the dashboard) are uploaded to the first control plane and run
// there with admin.conf, exactly as rendered and previewed.
import { CLUSTER_WORK_DIR } from '../render/calico.js';
import type { StepContext } from './engine/context.js';
import { quote } from './transport/shell.js';

export async function runClusterScript(ctx: StepContext, path: string): Promise<void> {
  const f = ctx.clusterFile(path);
  const remote = `${CLUSTER_WORK_DIR}/${path.replace(/\//g, '-')}`;
  await ctx.ensureFile({ ...f, path: remote });
  await ctx.run(`sh ${quote(remote)}`, { timeoutMs: 15 * 60_000 });
}

export const KUBECTL = 'kubectl --kubeconfig /etc/kubernetes/admin.conf';
