// An etcd snapshot and the cluster's PKI, downloaded to the operator machine.
import type { Operation } from '../engine/operation.js';
import { snapshotStep } from '../etcd-snapshot.js';
import { pkiBackup } from '../pki-backup.js';
import { BACKUP_COLUMNS } from './columns.js';

export const backupSnapshot = snapshotStep('backup-snapshot', 'etcd', 'etcd snapshot to this machine');

export const backup: Operation = {
  id: 'backup',
  title: 'Backup',
  columns: BACKUP_COLUMNS,
  stages: [
    { kind: 'step', step: backupSnapshot },
    { kind: 'step', step: pkiBackup },
  ],
  // Reads only, on the hosts (the snapshot file it writes there is removed at once).
  changes: false,
};
