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
    status: { conditions: { type: string; status: string; message?: string }[] };
  }[];
}

interface PodList {
  items: {
    metadata: { name: string; labels?: Record<string, string> };
    spec?: { nodeName?: string };
    status?: {
      containerStatuses?: { ready?: boolean; state?: { waiting?: { reason?: string; message?: string } } }[];
    };
  }[];
}

/** Per-node networking pods (kube-proxy, calico-node) that are not running, with the reason they give. */
async function podProblems(ctx: StepContext): Promise<string[]> {
  const r = await ctx.probe(`${KUBECTL} -n kube-system get pods -o json`);
  let list: PodList;
  try {
    list = JSON.parse(r.stdout) as PodList;
  } catch {
    return r.code === 0 ? [] : ['kubectl get pods -n kube-system failed'];
  }
  const out: string[] = [];
  for (const p of list.items ?? []) {
    const app = p.metadata.labels?.['k8s-app'];
    if (app !== 'kube-proxy' && app !== 'calico-node') continue;
    const c = p.status?.containerStatuses?.[0];
    if (c?.ready) continue;
    const w = c?.state?.waiting;
    out.push(
      `${app} on ${p.spec?.nodeName ?? 'no node'} is ${w?.reason ?? 'not running'}${w?.message ? `: ${w.message}` : ''}`,
    );
  }
  return out;
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
      const ready = n.status.conditions.find((c) => c.type === 'Ready');
      if (ready?.status !== 'True')
        out.push(`${h.name} is not Ready${ready?.message ? ` (${ready.message})` : ''}`);
      const isCp = 'node-role.kubernetes.io/control-plane' in (n.metadata.labels ?? {});
      if (isCp !== (h.role === 'control-plane')) out.push(`${h.name} has the wrong role`);
    }
  }
  return [...out, ...(await podProblems(ctx))];
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
    // Nodes are Ready; the per-node networking pods may still be starting. A pod that keeps
    // crash-looping for three looks in a row will not get better by waiting.
    let p: string[] = [];
    let crashing = 0;
    for (const until = Date.now() + 120_000; Date.now() < until;) {
      p = await problems(ctx);
      if (p.length === 0) return;
      crashing = p.some((x) => /CrashLoopBackOff/.test(x)) ? crashing + 1 : 0;
      if (crashing >= 3) break;
      await new Promise((r) => setTimeout(r, 3000));
    }
    throw new StepError(
      `verification failed: ${p.join('; ')}`,
      `kubectl --kubeconfig /etc/kubernetes/admin.conf get nodes -o wide, and get pods -n kube-system -o wide, on ${initNode(ctx.answers).name}`,
    );
  },
};
