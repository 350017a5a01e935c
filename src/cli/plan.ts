// `k8sha-wizard plan --answers FILE` and `apply --dry-run`: the steps and commands, per node, that a
// run would make. The same step code runs against a recording transport; facts are assumed
// (--offline) or gathered read-only over SSH.
import { DEFAULTS } from '../answers/defaults.js';
import { initNode } from '../answers/model.js';
import type { Answers, Host } from '../answers/schema.js';
import { UsageError } from '../errors.js';
import type { EngineEvent } from '../steps/engine/events.js';
import type { NodeFacts } from '../steps/engine/facts.js';
import { factsScript, parseFacts } from '../steps/engine/facts.js';
import { stateRoot } from '../state/paths.js';
import { answersFrom, type CatalogFlag } from './common.js';
import { runEngine, type EngineFlags } from './run-engine.js';
import { transportSetup } from '../steps/transport/setup.js';

export interface PlanFlags extends EngineFlags, CatalogFlag {
  answers?: string;
  format?: 'text' | 'commands' | 'json';
  offline?: boolean;
  assumeOs?: 'rhel' | 'debian';
}

export function assumedFacts(a: Answers, h: Host, family: 'rhel' | 'debian'): NodeFacts {
  return {
    osFamily: family,
    ...(family === 'debian' ? { distro: 'ubuntu', codename: 'noble' } : {}),
    osId: family === 'rhel' ? 'rocky' : 'ubuntu',
    osVersion: '',
    hostname: h.name,
    arch: 'x86_64',
    cpus: 2,
    memMiB: 4096,
    machineId: '',
    productUuid: '',
    macs: [],
    interface: h.interface ?? a.loadBalancer?.interface ?? DEFAULTS.fallbackInterface,
    addressInterface: h.interface ?? a.loadBalancer?.interface ?? DEFAULTS.fallbackInterface,
    swapOn: true,
    selinux: family === 'rhel' ? 'Enforcing' : 'none',
    clockSkewMs: 0,
    cgroup: 'cgroup2fs',
    busyPorts: [],
    uid: 0,
    joined: false,
    firewall: family === 'rhel' ? 'firewalld' : 'none',
    vipHere: false,
  };
}

async function gatherRealFacts(a: Answers, flags: PlanFlags): Promise<Record<string, NodeFacts>> {
  const setup = transportSetup(
    flags.transport === 'local' ? 'local' : 'ssh',
    a,
    flags.stateDir ?? stateRoot(),
    (m) => process.stderr.write(`note: ${m}\n`),
  );
  const facts: Record<string, NodeFacts> = {};
  await Promise.all(
    a.hosts.map(async (h) => {
      const t = setup.factory(h);
      try {
        const before = Date.now();
        const r = await t.exec(factsScript(a, h), { timeoutMs: 60_000 });
        facts[h.name] = parseFacts(r.stdout, (before + Date.now()) / 2);
      } catch (e) {
        throw new UsageError(
          `cannot gather facts from ${h.name} for the plan: ${(e as Error).message}`,
          'use --offline to plan with assumed facts (--assume-os rhel|debian)',
        );
      } finally {
        await t.close();
      }
    }),
  );
  return facts;
}

export async function planCommand(flags: PlanFlags): Promise<number> {
  const { answers, catalog } = answersFrom(flags, true);
  const family = flags.assumeOs ?? 'rhel';
  const facts = flags.offline
    ? Object.fromEntries(answers.hosts.map((h) => [h.name, assumedFacts(answers, h, family)]))
    : await gatherRealFacts(answers, flags);
  const byNode = new Map<string, { step: string; lines: string[] }[]>();
  const current = new Map<string, string>();
  const listener = (e: EngineEvent) => {
    if (e.type === 'step-started') current.set(e.node, e.step);
    if (e.type === 'output-line' && e.stream === 'command') {
      const list = byNode.get(e.node) ?? [];
      const step = current.get(e.node) ?? e.step;
      if (list.at(-1)?.step !== step) list.push({ step, lines: [] });
      list.at(-1)!.lines.push(e.line);
      byNode.set(e.node, list);
    }
  };
  const { outcome } = await runEngine({
    answers,
    catalog,
    flags,
    dryRun: true,
    dryRunFacts: (n) => facts[n]!,
    extraListener: listener,
    quiet: true,
  });
  if (outcome.status !== 'completed') {
    // A plan that stops half way is not a plan: say where it stopped, print nothing that looks whole.
    const f = outcome.failure;
    process.stderr.write(
      `error: the dry run stopped${f ? ` at step ${f.step} (${f.stepTitle}) on ${f.node}: ${f.message}` : ` (${outcome.status})`}\n` +
        'hint: the plan is incomplete; fix the cause (often the answers or the catalog) and run plan again\n',
    );
    return 1;
  }
  const out = (l: string) => process.stdout.write(`${l}\n`);
  if (flags.format === 'json') {
    out(JSON.stringify(Object.fromEntries([...byNode].map(([n, steps]) => [n, steps])), null, 2));
    return 0;
  }
  if (flags.format === 'commands') {
    for (const h of answers.hosts) {
      out(`### ${h.name}`);
      for (const s of byNode.get(h.name) ?? []) for (const l of s.lines) out(l);
    }
    return 0;
  }
  out(
    `plan for cluster ${answers.cluster.name} (${flags.offline ? `facts assumed: ${family} family` : 'facts gathered from the hosts'}); kubeadm init runs on ${initNode(answers).name}`,
  );
  for (const h of answers.hosts) {
    out('');
    out(`${h.name} (${h.role}, ${facts[h.name]?.osFamily ?? '?'})`);
    for (const s of byNode.get(h.name) ?? []) {
      out(`  ${s.step}`);
      for (const l of s.lines) out(`    ${l}`);
    }
  }
  return 0;
}
