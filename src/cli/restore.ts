// `k8sha-wizard restore --answers FILE --snapshot FILE [--yes]`: etcd back from a snapshot on every
// control plane. The snapshot is checked here first; the operator types the cluster name.
import { randomBytes, createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { snapshotIntact } from '../steps/etcd-snapshot.js';
import { restore } from '../steps/index.js';
import { controlPlanes } from '../answers/model.js';
import { answersFrom, type CatalogFlag } from './common.js';
import { confirmLoss } from './confirm.js';
import { dryRun } from './dry-run.js';
import { runEngine, type EngineFlags } from './run-engine.js';

export interface RestoreFlags extends EngineFlags, CatalogFlag {
  answers?: string;
  snapshot?: string;
  yes?: boolean;
  dryRun?: boolean;
  force?: boolean;
}

/** The snapshot file: readable, long enough, and its SHA-256 trailer intact. */
export function checkedSnapshot(path: string | undefined): { path: string; sha256: string; at: Date } {
  if (!path)
    throw new UsageError(
      '--snapshot FILE is required',
      'pass a snapshot k8sha-wizard backup (or upgrade) saved',
    );
  let db: Buffer;
  try {
    db = readFileSync(path);
  } catch (e) {
    throw new UsageError(
      `--snapshot: cannot read ${path} (${(e as NodeJS.ErrnoException).code})`,
      'k8sha-wizard backup prints where it saved the snapshot',
    );
  }
  if (db.length < 4096 + 32 || !snapshotIntact(db))
    throw new UsageError(
      `--snapshot ${path} is not an intact etcd snapshot (its SHA-256 trailer does not match)`,
      'take another from a healthy cluster, or pick an older one; nothing was changed',
    );
  return { path, sha256: createHash('sha256').update(db).digest('hex'), at: statSync(path).mtime };
}

export async function restoreCommand(flags: RestoreFlags): Promise<number> {
  const snap = checkedSnapshot(flags.snapshot);
  const { answers, catalog } = answersFrom(flags, true, { allowEvenControlPlanes: true });
  const run = {
    operation: restore,
    answers,
    catalog,
    flags,
    context: {
      restore: {
        id: randomBytes(4).toString('hex'),
        snapshot: snap.path,
        sha256: snap.sha256,
        ...(flags.force ? { force: true } : {}),
      },
    },
    command: 'restore',
  };
  if (flags.dryRun)
    return dryRun(run, answers.hosts, `restore ${answers.cluster.name} from ${snap.path}: what would run`);
  const cps = controlPlanes(answers).map((h) => h.name);
  const go = await confirmLoss(
    [
      `Restore cluster ${answers.cluster.name}'s etcd from ${snap.path} (saved ${snap.at.toISOString()}):`,
      `  - every change to the cluster since that snapshot is lost (objects created, changed or deleted after it);`,
      `  - etcd and the control-plane pods stop on ${cps.join(', ')} until the restore is done: the API is down meanwhile;`,
      '  - the etcd data each control plane has now is kept on it, under /var/lib/k8sha-wizard/restore-<id>/etcd-before.',
      ...(flags.force
        ? [
            '  - --force: the restore goes ahead even if etcd still has quorum (a working cluster is rolled back).',
          ]
        : [
            '  - if etcd still has quorum, the restore stops before it changes anything (--force to roll back anyway).',
          ]),
    ],
    { ...(flags.yes ? { yes: true } : {}), command: 'restore', typed: answers.cluster.name },
  );
  if (!go) return 0;
  return (await runEngine(run)).code;
}
