// Disaster recovery from an etcd snapshot: every control plane stops, restores, starts; then etcd
// and the API are checked through the VIP. Workers are not touched.
import type { Operation } from '../engine/operation.js';
import { restoreCheck, restoreData, restoreStart, restoreStop, restoreVerify } from '../etcd-restore.js';
import { RESTORE_COLUMNS } from './columns.js';

export const restore: Operation = {
  id: 'restore',
  title: 'Restore etcd',
  columns: RESTORE_COLUMNS,
  stages: [
    { kind: 'step', step: restoreCheck },
    // Every member stops before any is restored: no old member may talk to a restored one.
    { kind: 'step', step: restoreStop },
    { kind: 'step', step: restoreData },
    { kind: 'step', step: restoreStart },
    { kind: 'step', step: restoreVerify },
  ],
  changes: true,
  // Workers may be down; the control planes are checked by restore-check.
  mayBeUnreachable: (h) => h.role !== 'control-plane',
};
