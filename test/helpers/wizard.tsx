// The whole wizard (<App/>) on a scripted session: saved answers in a temp dir, hosts scripted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from '../../src/screens/App.js';
import { loadWizardParts } from '../../src/screens/use-wizard-parts.js';
import { InstallSession } from '../../src/steps/session.js';
import type { Draft } from '../../src/wizard/draft.js';
import { savedAnswers, type SavedAnswers } from '../../src/wizard/saved-answers.js';
import { catalog } from './answers.js';
import { mount, type Screen } from './ink.js';
import { scriptedFactory, type Script } from './scripted-transport.js';

export interface WizardHarness {
  screen: Screen;
  saved: SavedAnswers;
  dir: string;
  exitCode(): number | undefined;
  cleanup(): void;
}

/** An install session whose hosts are scripted, with its state under `dir`. */
export function scriptedSession(dir: string, script: Omit<Script, 'answers'> = {}): InstallSession {
  return new InstallSession({
    catalog,
    stateRoot: join(dir, 'state'),
    kubeconfigDir: join(dir, 'kube'),
    retryDelayScale: 0.001,
    transports: (a) => scriptedFactory(Object.assign(script, { answers: a })).factory,
  });
}

export async function mountWizard(
  script: Omit<Script, 'answers'> = {},
  opts: { dir?: string; loaded?: Draft } = {},
): Promise<WizardHarness> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'k8sha-wizard-'));
  const saved = savedAnswers(join(dir, 'config'));
  const session = scriptedSession(dir, script);
  let code: number | undefined;
  // As the wizard does for any start but a fresh one: its first screen may need any of the parts.
  await loadWizardParts();
  const screen = await mount(
    <App
      catalog={catalog}
      services={() => ({ session, saved })}
      onExit={(c) => (code = c)}
      {...(opts.loaded ? { loaded: opts.loaded } : {})}
    />,
  );
  return {
    screen,
    saved,
    dir,
    exitCode: () => code,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
