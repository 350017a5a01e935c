// Saved answers: the draft, stored with conf after every screen so a rerun starts prefilled. The
// draft type has no field for a password, token or key, so none can be saved; the file is 0600.
import Conf from 'conf';
import { InputError } from '../errors.js';
import { ensurePrivateDir } from '../state/private-dir.js';
import type { Draft } from './draft.js';
import { SAVED_ANSWERS_NAME, savedAnswersDir, savedAnswersPath } from './saved-answers-path.js';

interface Store {
  draft?: Draft;
  screen?: string;
  savedAt?: string;
}

export interface SavedAnswers {
  load(): { draft: Draft; screen?: string; savedAt?: string } | undefined;
  save(draft: Draft, screen?: string): void;
  clear(): void;
  readonly path: string;
}

export function savedAnswers(cwd = process.env.K8SHA_CONFIG_DIR): SavedAnswers {
  // Created 0700 before conf would create it with the umask's mode; an existing directory that
  // others may write is refused (ensurePrivateDir).
  ensurePrivateDir(savedAnswersDir(cwd));
  let conf: Conf<Store>;
  try {
    conf = new Conf<Store>({
      projectName: 'k8sha-wizard',
      projectSuffix: '',
      configName: SAVED_ANSWERS_NAME,
      configFileMode: 0o600,
      ...(cwd ? { cwd } : {}),
    });
  } catch (e) {
    // conf reads the file at once and throws JSON.parse's error for a damaged one.
    if (!(e instanceof SyntaxError)) throw e;
    throw new InputError(
      savedAnswersPath(cwd),
      [{ path: '', message: `is not valid JSON: ${e.message}` }],
      'move the file away to start fresh (the wizard then saves new answers there), or repair it',
    );
  }
  return {
    path: conf.path,
    load() {
      const draft = conf.get('draft');
      if (!draft) return undefined;
      const screen = conf.get('screen');
      const savedAt = conf.get('savedAt');
      return { draft, ...(screen ? { screen } : {}), ...(savedAt ? { savedAt } : {}) };
    },
    save(draft, screen) {
      conf.set({ draft, ...(screen ? { screen } : {}), savedAt: new Date().toISOString() });
    },
    clear() {
      conf.clear();
    },
  };
}
