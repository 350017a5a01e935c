// Start the interactive wizard (only ever loaded by the CLI when there is a terminal).
import { render } from 'ink';
import type { Catalog } from '../catalog/schema.js';
import { InstallSession } from '../steps/session.js';
import type { Draft } from '../wizard/draft.js';
import { savedAnswers } from '../wizard/saved-answers.js';
import { App } from './App.js';
import { pacedStdin } from './paced-stdin.js';

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
  const session = new InstallSession({
    catalog: o.catalog,
    stateRoot: o.stateRoot,
    kubeconfigDir: o.kubeconfigDir,
    ...(o.concurrency ? { concurrency: o.concurrency } : {}),
  });
  const app = render(
    <App
      catalog={o.catalog}
      session={session}
      saved={savedAnswers()}
      onExit={(c) => (code = c)}
      {...(o.loaded ? { loaded: o.loaded } : {})}
    />,
    { exitOnCtrlC: false, stdin: pacedStdin(process.stdin) },
  );
  await app.waitUntilExit();
  return code;
}
