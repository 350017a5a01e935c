// Connect to a node and learn its facts (read-only), and ask the network whether the VIP is taken.
// Used by the engine's first step and by the wizard's preflight screen.
import pLimit from 'p-limit';
import { controlPlanes, vipAddress } from '../../answers/model.js';
import type { Answers, Host } from '../../answers/schema.js';
import { quote } from '../transport/shell.js';
import { AuthError, type Transport } from '../transport/types.js';
import { factsScript, parseFacts, type NodeFacts } from './facts.js';
import { DEFAULT_CONCURRENCY } from './concurrency.js';
import { preflight, type PreflightProblem } from './preflight.js';

export async function gatherNodeFacts(
  t: Transport,
  a: Answers,
  h: Host,
  log?: (line: string) => void,
): Promise<NodeFacts> {
  const c0 = Date.now();
  await t.connect();
  log?.(`$ ssh connect\n  => exit 0 (${Date.now() - c0} ms)`);
  const before = Date.now();
  log?.('? gather facts');
  const r = await t.exec(factsScript(a, h), { timeoutMs: 60_000 });
  log?.(`  => exit ${r.code} (${Date.now() - before} ms)`);
  if (r.code !== 0) throw new Error(`gathering facts failed (exit ${r.code}): ${r.stderr.trim()}`);
  const facts = parseFacts(r.stdout, (before + Date.now()) / 2);
  log?.(`facts: ${JSON.stringify(facts)}`);
  return facts;
}

export function unreachableMessage(e: unknown): string {
  const msg = (e as Error).message;
  return e instanceof AuthError ? `${msg}. ${e.hint}` : msg;
}

/**
 * Does something else already answer at the VIP? Only asked when no control plane holds it, and
 * asked from the first control plane (same L2): after a connection attempt, a neighbour entry with
 * a link-layer address means some machine answered ARP for it. The operator sends nothing itself.
 */
export async function vipInUse(
  a: Answers,
  facts: Record<string, NodeFacts>,
  transport: (name: string) => Transport,
): Promise<boolean> {
  const vip = vipAddress(a);
  if (!vip) return false;
  const cps = controlPlanes(a);
  if (cps.some((h) => facts[h.name]?.vipHere)) return false;
  const first = cps[0]!;
  if (!facts[first.name]) return false;
  const probe = `curl -s --connect-timeout 1 -o /dev/null http://${quote(vip)}:22/ >/dev/null 2>&1; ip -4 neigh show ${quote(vip)} | grep -q lladdr && echo in-use; true`;
  const r = await transport(first.name).exec(probe, { timeoutMs: 15_000 });
  return r.stdout.includes('in-use');
}

export interface HostCheck {
  facts: Record<string, NodeFacts>;
  unreachable: Record<string, string>;
  problems: PreflightProblem[];
}

/** The wizard's preflight: connect to every node, gather facts, run the preflight rules. Changes nothing. */
export async function checkHosts(
  a: Answers,
  factory: (h: Host) => Transport,
  concurrency = DEFAULT_CONCURRENCY,
): Promise<HostCheck> {
  const transports = new Map(a.hosts.map((h) => [h.name, factory(h)]));
  const facts: Record<string, NodeFacts> = {};
  const unreachable: Record<string, string> = {};
  const limit = pLimit(concurrency);
  try {
    await Promise.all(
      a.hosts.map((h) =>
        limit(async () => {
          try {
            facts[h.name] = await gatherNodeFacts(transports.get(h.name)!, a, h);
          } catch (e) {
            unreachable[h.name] = unreachableMessage(e);
          }
        }),
      ),
    );
    const problems = [
      ...Object.entries(unreachable).map(([node, message]) => ({ node, message: `unreachable: ${message}` })),
      ...preflight(a, facts, await vipInUse(a, facts, (n) => transports.get(n)!)),
    ];
    return { facts, unreachable, problems };
  } finally {
    await Promise.allSettled([...transports.values()].map((t) => t.close()));
  }
}
