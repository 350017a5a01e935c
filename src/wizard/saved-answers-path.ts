// Where the saved answers live, without loading conf: the wizard looks for them before its first frame.
import envPaths from 'env-paths';
import { join } from 'node:path';

/** The directory (conf's own rule: env-paths' config directory, unless overridden). */
export function savedAnswersDir(cwd = process.env.K8SHA_CONFIG_DIR): string {
  return cwd ?? envPaths('k8sha-wizard', { suffix: '' }).config;
}

/** conf's file in it: the configName with conf's default extension (test/screens/flow.test.tsx checks conf agrees). */
export const SAVED_ANSWERS_NAME = 'saved-answers';
export function savedAnswersPath(cwd = process.env.K8SHA_CONFIG_DIR): string {
  return join(savedAnswersDir(cwd), `${SAVED_ANSWERS_NAME}.json`);
}
