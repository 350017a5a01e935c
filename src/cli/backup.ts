// `k8sha-wizard backup --answers FILE [--out DIR]`: an etcd snapshot (checked, with its SHA-256) and
// the cluster's PKI on this machine, 0600.
import { join, resolve } from 'node:path';
import { clusterStateDir, stateRoot } from '../state/paths.js';
import type { SnapshotInfo } from '../steps/etcd-snapshot.js';
import { backup } from '../steps/index.js';
import { answersFrom, out, type CatalogFlag } from './common.js';
import { runEngine, type EngineFlags } from './run-engine.js';

export interface BackupFlags extends EngineFlags, CatalogFlag {
  answers?: string;
  out?: string;
}

export async function backupCommand(flags: BackupFlags): Promise<number> {
  const { answers, catalog } = answersFrom(flags, true, { allowEvenControlPlanes: true });
  const backupDir = flags.out
    ? resolve(flags.out)
    : join(clusterStateDir(answers.cluster.name, flags.stateDir ?? stateRoot()), 'backups');
  const { code, outcome } = await runEngine({
    operation: backup,
    answers,
    catalog,
    flags,
    context: { backupDir },
    // Nothing on the hosts changes: no journal to resume, a failed backup is simply taken again.
    persist: false,
    writesLocal: true,
    command: 'backup',
  });
  if (code !== 0) return code;
  const snap = outcome.context['backup-snapshot'] as SnapshotInfo | undefined;
  if (snap) {
    out(
      `snapshot: ${snap.path} (${snap.bytes} bytes, revision ${snap.revision || '?'}, from ${snap.takenOn})`,
    );
    out(`sha256:   ${snap.sha256} (also in ${snap.path}.sha256)`);
  }
  out(`pki:      ${String(outcome.context.pkiBackup)} (secret)`);
  out(`restore with: k8sha-wizard restore --answers FILE --snapshot ${snap?.path ?? 'SNAPSHOT'}`);
  return 0;
}
