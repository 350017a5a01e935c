// `k8sha-wizard upgrade --answers FILE --to MINOR|PATCH [--yes]`: the cluster one minor (or one
// patch) up, node by node, with an etcd snapshot first; the answers file's kubernetesVersion follows
// when it finishes.
import type { Answers } from '../answers/schema.js';
import { resolveKubernetesVersion } from '../catalog/resolve.js';
import { UsageError } from '../errors.js';
import { setVersionInFile } from '../input/answers-edit.js';
import { clusterStateDir, stateRoot } from '../state/paths.js';
import { upgradeOperation } from '../steps/index.js';
import { DEFAULT_DRAIN_TIMEOUT_SECONDS } from '../steps/removal.js';
import { savedAnswers } from '../wizard/saved-answers.js';
import { answersFrom, out, type CatalogFlag } from './common.js';
import { confirmLoss, parseDuration } from './confirm.js';
import { dryRun } from './dry-run.js';
import { runEngine, type EngineFlags } from './run-engine.js';
import { join } from 'node:path';

export interface UpgradeFlags extends EngineFlags, CatalogFlag {
  answers?: string;
  to?: string;
  maxUnavailable?: string;
  drainTimeout?: string;
  yes?: boolean;
  dryRun?: boolean;
}

/** --max-unavailable: a count of workers, or a percentage of them (at least one). */
export function parseMaxUnavailable(value: string | undefined, workers: number): number {
  if (value === undefined) return 1;
  const m = /^(\d+)(%)?$/.exec(value.trim());
  const n = m ? Number(m[1]) : NaN;
  if (!m || n < 1 || (m[2] && n > 100))
    throw new UsageError(
      `--max-unavailable ${value} is not a count or a percentage`,
      'use a number of workers (e.g. 2) or a percentage of them (e.g. 25%)',
    );
  return m[2] ? Math.max(1, Math.floor((workers * n) / 100)) : n;
}

export async function upgradeCommand(flags: UpgradeFlags): Promise<number> {
  if (!flags.to)
    throw new UsageError('--to VERSION is required', 'name the minor (1.37) or the patch (1.37.1) to go to');
  const { answers, catalog, file, saved } = answersFrom(flags, true);
  const target = resolveKubernetesVersion(catalog, flags.to);
  if (!target.ok)
    throw new UsageError(`--to ${flags.to}: ${target.message}`, 'pick a version the catalog lists');
  const workers = answers.hosts.filter((h) => h.role === 'worker').length;
  const maxUnavailable = parseMaxUnavailable(flags.maxUnavailable, workers);
  const drainTimeoutSeconds = parseDuration(
    '--drain-timeout',
    flags.drainTimeout,
    DEFAULT_DRAIN_TIMEOUT_SECONDS,
  );
  const next: Answers = { ...answers, cluster: { ...answers.cluster, kubernetesVersion: flags.to } };
  const backupDir = join(clusterStateDir(answers.cluster.name, flags.stateDir ?? stateRoot()), 'backups');
  const run = {
    operation: upgradeOperation(maxUnavailable),
    answers: next,
    catalog,
    flags,
    choices: { drainTimeoutSeconds },
    context: { backupDir, maxUnavailable },
    command: 'upgrade',
  };
  if (flags.dryRun)
    return dryRun(
      run,
      next.hosts,
      `upgrade ${answers.cluster.name} to ${target.value.patch}: what would run`,
    );
  const go = await confirmLoss(
    [
      `Upgrade cluster ${answers.cluster.name} to Kubernetes ${target.value.patch}:`,
      `  - first an etcd snapshot to ${backupDir} (0600);`,
      '  - the control planes one at a time: kubeadm, drain (evictions; PodDisruptionBudgets hold), kubelet, uncordon;',
      `  - then the workers, ${maxUnavailable} at a time; each is drained while its kubelet is upgraded.`,
      '  Workloads move between nodes while they are drained; a node that fails stays cordoned.',
    ],
    { ...(flags.yes ? { yes: true } : {}), command: 'upgrade' },
  );
  if (!go) return 0;
  const { code } = await runEngine(run);
  if (code !== 0) return code;
  if (saved) {
    const store = savedAnswers();
    const current = store.load();
    if (current)
      store.save(
        { ...current.draft, cluster: { ...current.draft.cluster, kubernetesVersion: flags.to } },
        current.screen,
      );
    out(`${answers.cluster.name} runs ${target.value.patch}; the saved answers say so`);
  } else {
    setVersionInFile(file, flags.to);
    out(`${answers.cluster.name} runs ${target.value.patch}; ${file} says so (comments and order kept)`);
  }
  return 0;
}
