// `k8sha-wizard reset --answers FILE [--node NAME] [--yes]`: tear the cluster (or one host) down.
import { UsageError } from '../errors.js';
import { resetOperation } from '../steps/index.js';
import { answersFrom, type CatalogFlag } from './common.js';
import { confirmLoss } from './confirm.js';
import { dryRun } from './dry-run.js';
import { runEngine, type EngineFlags } from './run-engine.js';

export interface ResetFlags extends EngineFlags, CatalogFlag {
  answers?: string;
  node?: string;
  yes?: boolean;
  dryRun?: boolean;
}

export async function resetCommand(flags: ResetFlags): Promise<number> {
  const { answers, catalog } = answersFrom(flags, true, { allowEvenControlPlanes: true });
  if (flags.node && !answers.hosts.some((h) => h.name === flags.node))
    throw new UsageError(
      `${flags.node} is not in the answers`,
      `the hosts there are: ${answers.hosts.map((h) => h.name).join(', ')}`,
    );
  const run = {
    operation: resetOperation(flags.node),
    answers,
    catalog,
    flags,
    ...(flags.node ? { context: { resetNode: flags.node } } : {}),
    command: 'reset',
  };
  if (flags.dryRun)
    return dryRun(
      run,
      answers.hosts,
      `reset ${flags.node ?? `cluster ${answers.cluster.name}`}: what would run`,
    );
  const targets = flags.node ? [flags.node] : answers.hosts.map((h) => h.name);
  const go = await confirmLoss(
    [
      flags.node
        ? `Reset ${flags.node} of cluster ${answers.cluster.name}: it stops being a working node (the cluster keeps its Node object; use remove to take it out for good).`
        : `Reset cluster ${answers.cluster.name}: the cluster and everything running in it is destroyed, with its etcd data (take a backup first).`,
      `On ${targets.join(', ')}: kubeadm state, /etc/kubernetes, etcd data, CNI configuration and interfaces, IPVS and kube-proxy rules, the VIP, haproxy and keepalived, and the managed /etc/hosts block are removed (packages stay).`,
    ],
    {
      ...(flags.yes ? { yes: true } : {}),
      command: 'reset',
      ...(flags.node ? {} : { typed: answers.cluster.name }),
    },
  );
  if (!go) return 0;
  return (await runEngine(run)).code;
}
