// `k8sha-wizard` with no command: the interactive wizard, which needs a terminal.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { BUNDLED_CATALOG } from '../catalog/bundled.js';
import { UsageError } from '../errors.js';
import { stateRoot } from '../state/paths.js';
import type { CatalogFlag } from './common.js';
import { concurrencyOf } from '../steps/engine/concurrency.js';

export interface WizardFlags extends CatalogFlag {
  /** Open the wizard with this answers file on the Review screen. */
  answers?: string;
  stateDir?: string;
  kubeconfigDir?: string;
  concurrency?: string;
}

export async function wizardCommand(flags: WizardFlags): Promise<number> {
  // The bundled catalog needs no YAML parser and no zod: a plain start loads neither before its first
  // frame. A --catalog file is read and validated as in every other command.
  const catalog =
    !flags.catalog && BUNDLED_CATALOG ? BUNDLED_CATALOG : (await import('./common.js')).catalogFrom(flags);
  // A file the wizard cannot open is bad input: refused here, before any screen or host.
  const loaded = flags.answers
    ? (await import('../wizard/draft-file.js')).draftFromFile(flags.answers, catalog)
    : undefined;
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new UsageError(
      'the wizard needs a terminal, and this run has none',
      'to install unattended, use: k8sha-wizard apply --answers FILE --yes',
    );
  }
  // chalk (under Ink) does not read NO_COLOR; FORCE_COLOR=0 means the same to it. Set before Ink loads.
  if (process.env.NO_COLOR) process.env.FORCE_COLOR = '0';
  // Ink prints only the last frame when CI is set. Someone at a terminal asked for the wizard, so it
  // renders as a live screen even inside a CI job's shell.
  for (const key of ['CI', 'CONTINUOUS_INTEGRATION']) if (process.env[key]) process.env[key] = 'false';
  const { runWizard } = await import('../screens/run-wizard.js');
  return runWizard({
    catalog,
    ...(loaded ? { loaded } : {}),
    stateRoot: flags.stateDir ?? stateRoot(),
    kubeconfigDir: flags.kubeconfigDir ?? join(homedir(), '.kube'),
    concurrency: concurrencyOf(flags),
  });
}
