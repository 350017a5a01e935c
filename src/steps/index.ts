// Every operation the engine runs, by name.
import type { Operation } from './engine/operation.js';
import { stagesSteps } from './engine/operation.js';
import { install } from './operations/install.js';
import { inspect } from './operations/inspect.js';

export { install, inspect };
export { CLUSTER_SEQUENCE, NODE_PIPELINE } from './operations/install.js';

export const OPERATIONS: Record<string, Operation> = { install, inspect };

/** The install's steps in order (the plan and the docs list them). */
export const ALL_STEPS = stagesSteps(install.stages);
