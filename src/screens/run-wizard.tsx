// Start the interactive wizard (only ever loaded by the CLI when there is a terminal).
import { existsSync } from 'node:fs';
import { render } from 'ink';
import type { Catalog } from '../catalog/schema.js';
import { ensurePrivateDir } from '../state/private-dir.js';
import type { Draft } from '../wizard/draft.js';
import { savedAnswersDir, savedAnswersPath } from '../wizard/saved-answers-path.js';
import { App, type WizardServices } from './App.js';
import { pacedStdin } from './paced-stdin.js';
import { loadWizardParts, type WizardParts } from './use-wizard-parts.js';

export interface WizardOptions {
  catalog: Catalog;
  stateRoot: string;
  kubeconfigDir: string;
  concurrency?: number;
  /** Answers from `--answers FILE`: the wizard opens on the Review screen with them. */
  loaded?: Draft;
}

export async function runWizard(o: WizardOptions): Promise<number> {
  let code = 0;
  // A fresh start opens on the Cluster screen, which draws before the rest of the wizard has loaded;
  // any other start (saved answers, --answers) needs the rest for its first screen and waits for it.
  const fresh = !o.loaded && !existsSync(savedAnswersPath());
  // A config directory that others may write is refused before any screen: here on a fresh start,
  // otherwise by savedAnswers() in build() below, which runs before render.
  if (fresh) ensurePrivateDir(savedAnswersDir());
  const build = (p: WizardParts): WizardServices => ({
    session: new p.InstallSession({
      catalog: o.catalog,
      stateRoot: o.stateRoot,
      kubeconfigDir: o.kubeconfigDir,
      ...(o.concurrency ? { concurrency: o.concurrency } : {}),
    }),
    saved: p.savedAnswers(),
  });
  let failed: unknown;
  const parts = loadWizardParts();
  // Built before any screen when there are saved answers: a damaged file is refused with the CLI's
  // message, not inside the UI.
  const prebuilt = fresh ? undefined : build(await parts);
  const app = render(
    <App
      catalog={o.catalog}
      services={(p) => prebuilt ?? build(p)}
      onExit={(c) => (code = c)}
      {...(o.loaded ? { loaded: o.loaded } : {})}
    />,
    { exitOnCtrlC: false, stdin: pacedStdin(process.stdin, { holdUntil: parts }) },
  );
  parts.catch((e: unknown) => {
    failed = e;
    app.unmount();
  });
  await app.waitUntilExit();
  if (failed) throw failed;
  return code;
}
