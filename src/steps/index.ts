// Every operation the engine runs, by name.
import type { Host } from '../answers/schema.js';
import type { Operation } from './engine/operation.js';
import { stagesSteps } from './engine/operation.js';
import { install } from './operations/install.js';
import { inspect } from './operations/inspect.js';
import { remove } from './operations/remove.js';
import { resetOperation } from './operations/reset.js';
import { status } from './operations/status.js';
import { upgradeOperation } from './operations/upgrade.js';
import { backup } from './operations/backup.js';
import { restore } from './operations/restore.js';

export { backup, install, inspect, remove, resetOperation, restore, status, upgradeOperation };
export { CLUSTER_SEQUENCE, NODE_PIPELINE } from './operations/install.js';

/** The operation an unfinished run was, rebuilt from its journal (to resume it). */
export function operationFor(
  id: string,
  context: Record<string, unknown>,
): { operation: Operation; departing: Host[] } | undefined {
  const departing = (context.departing as Host[] | undefined) ?? [];
  switch (id) {
    case 'install':
      return { operation: install, departing: [] };
    case 'remove':
      return { operation: remove, departing };
    case 'reset':
      return { operation: resetOperation(context.resetNode as string | undefined), departing: [] };
    case 'backup':
      return { operation: backup, departing: [] };
    case 'restore':
      return { operation: restore, departing: [] };
    case 'upgrade':
      return { operation: upgradeOperation(context.maxUnavailable as number | undefined), departing: [] };
    default:
      return undefined;
  }
}

/** The install's steps in order (the plan and the docs list them). */
export const ALL_STEPS = stagesSteps(install.stages);
