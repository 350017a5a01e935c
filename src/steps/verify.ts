// Step 11: every node Ready, queried through the VIP (admin.conf's server is the VIP), and the API
// answering through the VIP.
import { apiEndpointText, initNode } from '../answers/model.js';
import type { Step } from './engine/step.js';
import type { StepContext } from './engine/context.js';
import { StepError } from './engine/failure.js';
import { KUBECTL } from './cluster-script.js';
import { quote } from './transport/shell.js';

interface NodeList {
  items: {
    metadata: { name: string; labels?: Record<string, string> };
    status: { conditions: { type: string; status: string }[] };
  }[];
}

async function problems(ctx: StepContext): Promise<string[]> {
  const out: string[] = [];
  const api = await ctx.probe(
    `curl -sfk --max-time 5 ${quote(`https://${apiEndpointText(ctx.answers)}/readyz`)}`,
  );
  if (api.code !== 0) out.push(`the API does not answer through ${apiEndpointText(ctx.answers)}`);
  const r = await ctx.probe(`${KUBECTL} get nodes -o json`);
  if (r.code !== 0) return [...out, `kubectl get nodes failed: ${r.stderr.trim().split('\n').pop() ?? ''}`];
  const list = JSON.parse(r.stdout) as NodeList;
  for (const h of ctx.answers.hosts) {
    const n = list.items.find((x) => x.metadata.name === h.name);
    if (!n) out.push(`${h.name} is not registered in the cluster`);
    else {
      if (!n.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True'))
        out.push(`${h.name} is not Ready`);
      const isCp = 'node-role.kubernetes.io/control-plane' in (n.metadata.labels ?? {});
      if (isCp !== (h.role === 'control-plane')) out.push(`${h.name} has the wrong role`);
    }
  }
  return out;
}

export const verify: Step = {
  id: 'verify',
  title: 'Verify nodes Ready through the VIP',
  phase: 'verify',
  scope: 'cluster',
  appliesTo: () => true,
  runsOn: initNode,
  retry: { tries: 2, delayMs: 10_000 },
  skippable: true,
  async check(ctx) {
    return (await problems(ctx)).length === 0;
  },
  async apply(ctx) {
    await ctx.run(`${KUBECTL} wait --for=condition=Ready nodes --all --timeout=300s`, {
      timeoutMs: 6 * 60_000,
    });
    if (ctx.svc.dryRun) return;
    const p = await problems(ctx);
    if (p.length)
      throw new StepError(
        `verification failed: ${p.join('; ')}`,
        `kubectl --kubeconfig /etc/kubernetes/admin.conf get nodes -o wide on ${initNode(ctx.answers).name}`,
      );
  },
};
