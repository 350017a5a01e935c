// How every operation opens: connect to each node and learn its facts in one read-only command,
// check them all (preflight: a failure names each host and changes nothing), then lock each host.
// These are steps like any other: journaled, shown in the grid and the plan, one code path for the
// engine, the wizard's Preflight screen and `plan`.
import { controlPlanes } from '../../answers/model.js';
import type { Host } from '../../answers/schema.js';
import { quote } from '../transport/shell.js';
import type { EngineServices } from './context.js';
import { Refusal, StepError } from './failure.js';
import { factsScript, parseFacts } from './facts.js';
import { acquireLock } from './lock.js';
import { endpointMismatch, preflight, type PreflightProblem } from './preflight.js';
import type { Step } from './step.js';
import type { StepContext } from './context.js';
import { vipAddress } from '../../answers/model.js';

/** The first control plane that answered (cluster-level checks do not depend on master01 being up). */
export function firstReachableControlPlane(
  a: Parameters<typeof controlPlanes>[0],
  svc: EngineServices,
): Host {
  const cps = controlPlanes(a);
  return cps.find((h) => svc.facts[h.name]) ?? cps[0] ?? a.hosts[0]!;
}

/**
 * Does something else already answer at the VIP? Only asked when no control plane holds it, and
 * asked from the first control plane (same L2): after a connection attempt, a neighbour entry with
 * a link-layer address means some machine answered ARP for it. The operator sends nothing itself.
 */
async function vipInUse(ctx: StepContext): Promise<boolean> {
  const a = ctx.answers;
  const vip = vipAddress(a);
  if (!vip) return false;
  const cps = controlPlanes(a);
  if (cps.some((h) => ctx.svc.facts[h.name]?.vipHere)) return false;
  const first = cps[0]!;
  if (!ctx.svc.facts[first.name]) return false;
  const r = await ctx.probeOn(
    first,
    // A neighbour entry with an address is not proof: a VIP given up (after a reset) stays STALE for
    // minutes. The connection attempt makes the kernel check it; only an answer (REACHABLE) counts,
    // and FAILED or INCOMPLETE means nobody has the address.
    `curl -s --connect-timeout 1 -o /dev/null http://${quote(vip)}:22/ >/dev/null 2>&1; for i in 1 2 3 4 5 6 7 8 9 10; do s=$(ip -4 neigh show ${quote(vip)}); case "$s" in *REACHABLE*|*PERMANENT*) echo in-use; break ;; *FAILED*|*INCOMPLETE*|'') break ;; esac; sleep 1; done; true`,
    { timeoutMs: 15_000, label: `is ${vip} already in use?` },
  );
  return r.stdout.includes('in-use');
}

export const gatherFacts: Step = {
  id: 'gather-facts',
  // Every host of the run, the ones leaving too: whether they answer decides what remove does.
  departing: true,
  title: 'Connect and gather facts',
  phase: 'facts',
  scope: 'node',
  appliesTo: () => true,
  retry: { tries: 1, delayMs: 0 },
  skippable: false,
  check: async () => false,
  async apply(ctx) {
    const t = ctx.svc.transport(ctx.node.name);
    const c0 = Date.now();
    await t.connect();
    ctx.svc.log.write(ctx.node.name, ctx.step.id, `$ ssh connect\n  => exit 0 (${Date.now() - c0} ms)`);
    const key = ctx.svc.installPublicKey;
    if (key) {
      const user = ctx.node.ssh?.user ?? ctx.answers.ssh.user;
      await ctx.run(
        `home=$(getent passwd ${quote(user)} | cut -d: -f6); mkdir -p "$home/.ssh" && touch "$home/.ssh/authorized_keys" && (grep -qxF ${quote(key)} "$home/.ssh/authorized_keys" || printf '%s\\n' ${quote(key)} >> "$home/.ssh/authorized_keys") && chown -R ${quote(user)} "$home/.ssh" && chmod 700 "$home/.ssh" && chmod 600 "$home/.ssh/authorized_keys"`,
        { label: `install the operator's public key for ${user}` },
      );
      ctx.notice(`installed the operator's public key for ${user}; later runs can use the key`);
    }
    const before = Date.now();
    const r = await ctx.probe(factsScript(ctx.answers, ctx.node), {
      timeoutMs: 60_000,
      label: 'gather facts',
    });
    if (r.code !== 0) throw new StepError(`gathering facts failed (exit ${r.code}): ${r.stderr.trim()}`);
    const facts = parseFacts(r.stdout, (before + Date.now()) / 2);
    ctx.svc.facts[ctx.node.name] = facts;
    ctx.svc.log.write(ctx.node.name, ctx.step.id, `facts: ${JSON.stringify(facts)}`);
  },
};

export const preflightStep: Step = {
  id: 'preflight',
  title: 'Preflight',
  phase: 'facts',
  scope: 'cluster',
  appliesTo: () => true,
  runsOn: (a, svc) => firstReachableControlPlane(a, svc),
  retry: { tries: 1, delayMs: 0 },
  skippable: false,
  check: async () => false,
  async apply(ctx) {
    const svc = ctx.svc;
    const op = svc.operation;
    const problems: PreflightProblem[] = [];
    for (const [node, why] of svc.unreachable) {
      const h = svc.hosts.find((x) => x.name === node)!;
      // A dead node being removed, or a status report, goes on without it.
      if (op.mayBeUnreachable?.(h, svc)) ctx.notice(`${node} is unreachable (${why}); going on without it`);
      else problems.push({ node, message: `unreachable: ${why}` });
    }
    problems.push(...preflight(ctx.answers, svc.facts, await vipInUse(ctx), ctx.catalog.operatingSystems));
    const moved = op.anyEndpoint ? undefined : endpointMismatch(ctx.answers, svc.facts);
    if (moved && op.preflight === 'report')
      problems.push({ node: '(cluster)', message: `${moved.message}; ${moved.hint}` });
    else if (moved) throw new Refusal(moved.message, moved.hint);
    svc.preflightProblems.push(...problems);
    if (problems.length && op.preflight !== 'report')
      throw new StepError(
        `preflight failed; nothing was changed on any host:\n${problems.map((p) => `  ${p.node}: ${p.message}`).join('\n')}`,
      );
  },
};

export const lockHosts: Step = {
  id: 'lock',
  departing: true,
  title: 'Lock the host for this run',
  phase: 'facts',
  scope: 'node',
  appliesTo: () => true,
  retry: { tries: 2, delayMs: 2000 },
  skippable: false,
  check: async () => false,
  async apply(ctx) {
    const svc = ctx.svc;
    await acquireLock(svc.transport(ctx.node.name), svc.runId, ctx.answers.cluster.name, {
      ...svc.lockOptions,
      onNotice: (message) => ctx.notice(message),
    });
    svc.locked.add(ctx.node.name);
  },
};
