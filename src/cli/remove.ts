// `k8sha-wizard remove --answers FILE --node NAME [--yes]`: take one node out of the running cluster
// (drain, etcd member, Node object, load balancers, host reset), then write the answers without it.
import { controlPlanes } from '../answers/model.js';
import type { Answers } from '../answers/schema.js';
import { UsageError } from '../errors.js';
import { removeHostFromFile } from '../input/answers-edit.js';
import { remove } from '../steps/index.js';
import { DEFAULT_DRAIN_TIMEOUT_SECONDS } from '../steps/removal.js';
import { savedAnswers } from '../wizard/saved-answers.js';
import { answersFrom, out, type CatalogFlag } from './common.js';
import { confirmLoss, parseDuration } from './confirm.js';
import { dryRun } from './dry-run.js';
import { runEngine, type EngineFlags } from './run-engine.js';

export interface RemoveFlags extends EngineFlags, CatalogFlag {
  answers?: string;
  node?: string;
  yes?: boolean;
  dryRun?: boolean;
  drainTimeout?: string;
}

export async function removeCommand(flags: RemoveFlags): Promise<number> {
  if (!flags.node)
    throw new UsageError('--node NAME is required', 'name the host to remove, as it is in the answers');
  const drainTimeoutSeconds = parseDuration(
    '--drain-timeout',
    flags.drainTimeout,
    DEFAULT_DRAIN_TIMEOUT_SECONDS,
  );
  // A cluster between sizes (after one remove, before the next add) may have an even number.
  const { answers, catalog, file, saved } = answersFrom(flags, true, { allowEvenControlPlanes: true });
  const node = answers.hosts.find((h) => h.name === flags.node);
  if (!node)
    throw new UsageError(
      `${flags.node} is not in the answers (${file})`,
      `the hosts there are: ${answers.hosts.map((h) => h.name).join(', ')}`,
    );
  if (node.role === 'control-plane' && controlPlanes(answers).length === 1)
    throw new UsageError(
      `${node.name} is the last control plane of ${answers.cluster.name}: removing it would leave no cluster`,
      'to tear the cluster down, use k8sha-wizard reset; nothing was changed',
    );
  const remaining: Answers = { ...answers, hosts: answers.hosts.filter((h) => h.name !== node.name) };
  const run = {
    operation: remove,
    answers: remaining,
    departing: [node],
    catalog,
    flags,
    choices: { drainTimeoutSeconds },
    command: 'remove',
  };
  if (flags.dryRun)
    return dryRun(
      run,
      [...remaining.hosts, node],
      `remove ${node.name} from ${answers.cluster.name}: what would run`,
    );
  const cp = node.role === 'control-plane';
  const go = await confirmLoss(
    [
      `Remove ${node.name} (${node.role}) from cluster ${answers.cluster.name}:`,
      `  - its pods are evicted (drain, up to ${drainTimeoutSeconds} s; PodDisruptionBudgets are respected) and its Node object is deleted;`,
      ...(cp
        ? [
            `  - its etcd member is removed, so etcd has ${controlPlanes(remaining).length} member(s) left;`,
            '  - the other control planes drop it from haproxy and keepalived, one at a time;',
          ]
        : []),
      `  - the host is reset: kubeadm state, /etc/kubernetes${cp ? ', its etcd data' : ''}, CNI configuration and rules are deleted (packages stay);`,
      `  - ${saved ? 'the saved answers' : file} no longer list it.`,
    ],
    { ...(flags.yes ? { yes: true } : {}), command: 'remove' },
  );
  if (!go) return 0;
  const { code } = await runEngine(run);
  if (code !== 0) return code;
  if (saved) {
    const store = savedAnswers();
    const current = store.load();
    if (current)
      store.save(
        { ...current.draft, hosts: current.draft.hosts.filter((h) => h.name !== node.name) },
        current.screen,
      );
    out(`${node.name} removed; the saved answers no longer list it`);
  } else {
    removeHostFromFile(file, node.name);
    out(`${node.name} removed; ${file} no longer lists it (comments and order kept)`);
  }
  if (controlPlanes(remaining).length % 2 === 0)
    out(
      `note: ${answers.cluster.name} now has ${controlPlanes(remaining).length} control planes, an even number, which apply refuses: add a control plane to the answers (the usual way to replace one) or remove another`,
    );
  return 0;
}
