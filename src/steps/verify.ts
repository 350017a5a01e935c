// Step 11: every node Ready and its networking pods (kube-proxy, calico-node) running, asked through
// the VIP (admin.conf's server is the VIP). One remote script polls the API; it stops early when a
// networking pod keeps crash-looping (waiting will not help) and prints what is wrong, one line each.
import { apiEndpointText, initNode } from '../answers/model.js';
import type { Answers } from '../answers/schema.js';
import type { Step } from './engine/step.js';
import { CommandFailed, StepError } from './engine/failure.js';
import { KUBECTL } from './cluster-script.js';
import { quote } from './transport/shell.js';

const NODE_ROWS =
  '{range .items[*]}{.metadata.name}{"\\t"}{.metadata.labels}{"\\t"}{.status.conditions[?(@.type=="Ready")].status}{"\\t"}{.status.conditions[?(@.type=="Ready")].message}{"\\n"}{end}';
const POD_ROWS =
  '{range .items[*]}{.metadata.labels.k8s-app}{"\\t"}{.spec.nodeName}{"\\t"}{.status.containerStatuses[0].ready}{"\\t"}{.status.containerStatuses[0].state.waiting.reason}{"\\t"}{.status.containerStatuses[0].state.waiting.message}{"\\n"}{end}';

/**
 * A POSIX sh script that checks once (polls=1) or polls every 3 s: the API through the endpoint,
 * every expected node registered, Ready and with the right role, and no networking pod failing.
 * Exit 0 when all is well; otherwise the problems on stdout, one per line.
 */
export function verifyScript(a: Answers, polls: number): string {
  const expected = a.hosts.map((h) => `${h.name}:${h.role === 'control-plane' ? 'cp' : 'worker'}`).join(' ');
  const readyz = quote(`https://${apiEndpointText(a)}/readyz`);
  return [
    `i=0; crash=0; while [ $i -lt ${polls} ]; do i=$((i+1)); p=''`,
    `  curl -sfk --max-time 5 ${readyz} >/dev/null || p="$p\nthe API does not answer through ${apiEndpointText(a)}"`,
    `  nodes=$(${KUBECTL} get nodes -o jsonpath=${quote(NODE_ROWS)} 2>&1) || p="$p\nkubectl get nodes failed: $(echo "$nodes" | tail -1)"`,
    `  for want in ${expected}; do n=\${want%%:*}; role=\${want#*:}`,
    `    row=$(printf '%s\\n' "$nodes" | awk -F'\\t' -v n="$n" '$1==n {print; exit}')`,
    '    if [ -z "$row" ]; then p="$p\n$n is not registered in the cluster"; continue; fi',
    `    labels=$(printf '%s' "$row" | cut -f2); st=$(printf '%s' "$row" | cut -f3); msg=$(printf '%s' "$row" | cut -f4)`,
    '    [ "$st" = True ] || p="$p\n$n is not Ready${msg:+ ($msg)}"',
    '    case "$labels" in *node-role.kubernetes.io/control-plane*) cp=yes;; *) cp=no;; esac',
    '    [ "$role:$cp" = cp:no ] && p="$p\n$n has the wrong role (no control-plane label)"',
    '    [ "$role:$cp" = worker:yes ] && p="$p\n$n has the wrong role (labelled control-plane)"',
    '  done',
    `  pods=$(${KUBECTL} -n kube-system get pods -l 'k8s-app in (kube-proxy,calico-node)' -o jsonpath=${quote(POD_ROWS)} 2>/dev/null)`,
    `  bad=$(printf '%s\\n' "$pods" | awk -F'\\t' 'NF>1 && $3!="true" {printf "%s on %s is %s%s\\n", $1, $2, ($4==""?"not running":$4), ($5==""?"":": " $5)}')`,
    '  [ -n "$bad" ] && p="$p\n$bad"',
    '  if [ -z "$p" ]; then exit 0; fi',
    '  case "$bad" in *CrashLoopBackOff*) crash=$((crash+1));; *) crash=0;; esac',
    '  if [ $crash -ge 3 ] || [ $i -ge ' +
      String(polls) +
      ' ]; then printf "%b\\n" "$p" | sed "/^$/d"; exit 1; fi',
    '  sleep 3',
    'done',
  ].join('\n');
}

export const verify: Step = {
  id: 'verify',
  title: 'Verify nodes and networking through the VIP',
  phase: 'verify',
  scope: 'cluster',
  appliesTo: () => true,
  runsOn: initNode,
  retry: { tries: 2, delayMs: 10_000 },
  skippable: true,
  async check(ctx) {
    return (await ctx.probe(verifyScript(ctx.answers, 1), { timeoutMs: 60_000 })).code === 0;
  },
  async apply(ctx) {
    try {
      // Up to 5 minutes for nodes to turn Ready; a crash loop ends it after three looks.
      await ctx.run(verifyScript(ctx.answers, 100), {
        timeoutMs: 6 * 60_000,
        label:
          'wait up to 5 min for every node Ready and kube-proxy and calico-node running (through the VIP)',
      });
    } catch (e) {
      if (!(e instanceof CommandFailed)) throw e;
      throw new StepError(
        `verification failed: ${e.stderrTail.join('; ')}`,
        `kubectl --kubeconfig /etc/kubernetes/admin.conf get nodes -o wide, and get pods -n kube-system -o wide, on ${initNode(ctx.answers).name}`,
      );
    }
  },
};
