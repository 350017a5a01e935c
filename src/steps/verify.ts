// Step 11: every node Ready and its networking pods (kube-proxy, calico-node) running, asked through
// the VIP (admin.conf's server is the VIP). One remote script polls the API; it stops early when a
// networking pod keeps crash-looping (waiting will not help) and prints what is wrong, one line each.
import { clusterControlPlane } from './cluster-host.js';
import { apiEndpointText } from '../answers/model.js';
import type { Answers } from '../answers/schema.js';
import type { StepContext } from './engine/context.js';
import type { Step } from './engine/step.js';
import { CommandFailed, StepError } from './engine/failure.js';
import { KUBECTL } from './cluster-script.js';
import { quote } from './transport/shell.js';

const NODE_ROWS =
  '{range .items[*]}{.metadata.name}{"\\t"}{.metadata.labels}{"\\t"}{.status.conditions[?(@.type=="Ready")].status}{"\\t"}{.status.conditions[?(@.type=="Ready")].message}{"\\n"}{end}';
const POD_ROWS =
  '{range .items[*]}{.metadata.labels.k8s-app}{"\\t"}{.spec.nodeName}{"\\t"}{.status.containerStatuses[0].ready}{"\\t"}{.status.containerStatuses[0].state.waiting.reason}{"\\t"}{.status.containerStatuses[0].state.waiting.message}{"\\n"}{end}';

/**
 * POSIX awk over the node rows, with `want` the expected "name:cp|worker" list: one line per
 * problem (not registered, not Ready with the kubelet's message, wrong role) and "extra NAME" for a
 * node the answers do not name.
 */
const NODE_PROBLEMS = [
  'BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) { split(w[i], kv, ":"); role[kv[1]] = kv[2]; name[i] = kv[1] } }',
  'NF >= 3 && $1 != "" {',
  '  seen[$1] = 1',
  '  if (!($1 in role)) { print "extra " $1; next }',
  '  if ($3 != "True") print $1 " is not Ready" ($4 == "" ? "" : " (" $4 ")")',
  '  cp = index($2, "node-role.kubernetes.io/control-plane") > 0',
  '  if (role[$1] == "cp" && !cp) print $1 " has the wrong role (no control-plane label)"',
  '  if (role[$1] == "worker" && cp) print $1 " has the wrong role (labelled control-plane)"',
  '}',
  'END { for (i = 1; i <= n; i++) if (!(name[i] in seen)) print name[i] " is not registered in the cluster" }',
].join('\n');

/**
 * A POSIX sh script that checks once (polls=1) or polls every 3 s: the API through the endpoint,
 * every expected node registered, Ready and with the right role, and no networking pod failing.
 * Exit 0 when all is well; otherwise the problems on stdout, one per line.
 */
// Each look is bounded: on a large, busy cluster a slow answer is a problem line ("not yet"), and the
// check (one look) ends within its 60 s instead of timing out the whole step.
const LOOK = `${KUBECTL} --request-timeout=20s`;

export function verifyScript(a: Answers, polls: number): string {
  const expected = a.hosts.map((h) => `${h.name}:${h.role === 'control-plane' ? 'cp' : 'worker'}`).join(' ');
  const readyz = quote(`https://${apiEndpointText(a)}/readyz`);
  return [
    `i=0; crash=0; while [ $i -lt ${polls} ]; do i=$((i+1)); p=''`,
    // kubectl goes through the endpoint too; only when it fails does curl say whether the endpoint answers.
    `  if ! nodes=$(${LOOK} get nodes -o jsonpath=${quote(NODE_ROWS)} 2>&1); then`,
    `    curl -sfk --max-time 5 ${readyz} >/dev/null || p="$p\nthe API does not answer through ${apiEndpointText(a)}"`,
    '    p="$p\nkubectl get nodes failed: $(echo "$nodes" | tail -1)"',
    '  fi',
    // One awk pass over every node row: a fixed number of processes per look, whatever the size.
    `  rows=$(printf '%s\\n' "$nodes" | awk -F'\\t' -v want=${quote(expected)} ${quote(NODE_PROBLEMS)})`,
    `  np=$(printf '%s\\n' "$rows" | sed '/^extra /d'); [ -n "$np" ] && p="$p\n$np"`,
    `  pods=$(${LOOK} -n kube-system get pods -l 'k8s-app in (kube-proxy,calico-node)' -o jsonpath=${quote(POD_ROWS)} 2>/dev/null)`,
    `  bad=$(printf '%s\\n' "$pods" | awk -F'\\t' 'NF>1 && $3!="true" {printf "%s on %s is %s%s\\n", $1, $2, ($4==""?"not running":$4), ($5==""?"":": " $5)}')`,
    '  [ -n "$bad" ] && p="$p\n$bad"',
    // Nodes the cluster has and the answers do not: named, never removed (apply only adds).
    `  if [ -z "$p" ]; then printf '%s\\n' "$rows" | sed -n '/^extra /p'; exit 0; fi`,
    '  case "$bad" in *CrashLoopBackOff*) crash=$((crash+1));; *) crash=0;; esac',
    '  if [ $crash -ge 3 ] || [ $i -ge ' +
      String(polls) +
      ' ]; then printf "%b\\n" "$p" | sed "/^$/d"; exit 1; fi',
    '  sleep 3',
    'done',
  ].join('\n');
}

/** Nodes in the cluster that the answers do not name: said, and left alone. */
function noteExtraNodes(ctx: StepContext, stdout: string): void {
  const extra = stdout
    .split('\n')
    .filter((l) => l.startsWith('extra '))
    .map((l) => l.slice(6).trim());
  if (extra.length)
    ctx.notice(
      `${extra.join(', ')} ${extra.length === 1 ? 'is' : 'are'} in the cluster but not in the answers; apply never removes nodes (to take one out: k8sha-wizard remove --node NAME)`,
    );
}

export const verify: Step = {
  id: 'verify',
  title: 'Verify nodes and networking through the VIP',
  phase: 'verify',
  scope: 'cluster',
  appliesTo: () => true,
  runsOn: (a, svc) => clusterControlPlane(a, svc),
  retry: { tries: 2, delayMs: 10_000 },
  skippable: true,
  async check(ctx) {
    const r = await ctx.probe(verifyScript(ctx.answers, 1), { timeoutMs: 60_000 });
    if (r.code === 0) noteExtraNodes(ctx, r.stdout);
    return r.code === 0;
  },
  async apply(ctx) {
    try {
      // Up to 5 minutes for nodes to turn Ready; a crash loop ends it after three looks.
      const r = await ctx.run(verifyScript(ctx.answers, 100), {
        timeoutMs: 6 * 60_000,
        label:
          'wait up to 5 min for every node Ready and kube-proxy and calico-node running (through the VIP)',
      });
      noteExtraNodes(ctx, r.stdout);
    } catch (e) {
      if (!(e instanceof CommandFailed)) throw e;
      throw new StepError(
        `verification failed: ${e.stderrTail.join('; ')}`,
        `kubectl --kubeconfig /etc/kubernetes/admin.conf get nodes -o wide, and get pods -n kube-system -o wide, on ${ctx.node.name}`,
      );
    }
  },
};
