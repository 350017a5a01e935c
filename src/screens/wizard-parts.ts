// The wizard beyond its first screen: every other screen, validation (zod), the renderers, the engine
// and its operations, the session and the saved answers (conf). The first screen draws without them
// (use-wizard-parts.ts loads this module just after it); they were most of the start-up's work.
export { Addons } from './Addons.js';
export { Confirm } from './Confirm.js';
export { dayTwoRun, nextMinor } from './day-two-runs.js';
export { Done } from './Done.js';
export { doneNotices } from './done-notices.js';
export { Hosts } from './Hosts.js';
export { Install } from './Install.js';
export { LoadBalancer } from './LoadBalancer.js';
export { Network } from './Network.js';
export { Preflight } from './Preflight.js';
export { Preview } from './Preview.js';
export { Review } from './Review.js';
export { SshAccess } from './SshAccess.js';
export { Start } from './Start.js';
export { Versions } from './Versions.js';
export { renderCluster } from '../render/index.js';
export { Engine } from '../steps/engine/engine.js';
export { install, operationFor } from '../steps/index.js';
export { InstallSession } from '../steps/session.js';
export { checkDraft } from '../wizard/check-draft.js';
export { savedAnswers } from '../wizard/saved-answers.js';
