// `k8sha-wizard plan --answers FILE` and `apply --dry-run`: the steps and commands, per node, that a
// run would make. The engine runs the install over recording transports and the plan is what they
// recorded; reads go to the hosts over SSH (read-only), or with --offline to assumed facts.
import { DEFAULTS } from '../answers/defaults.js';
import { initNode } from '../answers/model.js';
import type { Answers, Host } from '../answers/schema.js';
import type { NodeFacts } from '../steps/engine/facts.js';
import { factsOutput, factsScript } from '../steps/engine/facts.js';
import { install } from '../steps/index.js';
import { printRecorded } from './output/recorded.js';
import { answersFrom, type CatalogFlag } from './common.js';
import { runEngine, type EngineFlags } from './run-engine.js';

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
    // A row of the catalog's OS matrix, so the assumed host passes preflight as a real one would.
    osVersion: family === 'rhel' ? '9.6' : '24.04',
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

export async function planCommand(flags: PlanFlags): Promise<number> {
  const { answers, catalog } = answersFrom(flags, true);
  const family = flags.assumeOs ?? 'rhel';
  const facts: Record<string, NodeFacts> = {};
  const { outcome, recorded } = await runEngine({
    operation: install,
    answers,
    catalog,
    flags,
    // Offline, the facts script is answered from assumed facts and every other read is "not there".
    record: flags.offline
      ? {
          offline: (h) => {
            const script = factsScript(answers, h);
            const output = factsOutput(assumedFacts(answers, h, family));
            return (command) => (command === script ? output : undefined);
          },
        }
      : {},
    extraListener: () => undefined,
    quiet: true,
  });
  Object.assign(facts, outcome.facts);
  if (outcome.status !== 'completed') {
    // A plan that stops half way is not a plan: say where it stopped, print nothing that looks whole.
    const f = outcome.failure;
    const unreachable = Object.entries(outcome.unreachable);
    process.stderr.write(
      `error: the dry run stopped${f ? ` at step ${f.step} (${f.stepTitle}) on ${f.node}: ${f.message}` : ` (${outcome.status})`}\n` +
        (unreachable.length && !flags.offline
          ? 'hint: the plan reads the hosts over SSH; use --offline to plan with assumed facts (--assume-os rhel|debian)\n'
          : 'hint: the plan is incomplete; fix the cause (often the answers or the catalog) and run plan again\n'),
    );
    return 1;
  }
  printRecorded(
    answers.hosts,
    recorded,
    flags.format ?? 'text',
    `plan for cluster ${answers.cluster.name} (${flags.offline ? `facts assumed: ${family} family` : 'facts gathered from the hosts'}); kubeadm init runs on ${initNode(answers).name}`,
    facts,
  );
  return 0;
}
