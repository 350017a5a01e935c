// The cluster's health, read-only: facts from every host that answers (none must), then one control
// plane reads the rest. Preflight problems are part of the report, not a reason to stop.
import { statusStep } from '../cluster-status.js';
import type { Operation } from '../engine/operation.js';
import { STATUS_COLUMNS } from './columns.js';

export const status: Operation = {
  id: 'status',
  title: 'Status',
  columns: STATUS_COLUMNS,
  stages: [{ kind: 'step', step: statusStep }],
  changes: false,
  preflight: 'report',
  mayBeUnreachable: () => true,
};
