// `k8sha-wizard resume [--cluster NAME]`: continue the unfinished run from its journal, with the
// answers it started with.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { validateAnswers } from '../answers/load.js';
import { RuntimeError, UsageError } from '../errors.js';
import { journalProgress, readJournal } from '../state/journal.js';
import { stateRoot } from '../state/paths.js';
import { operationFor } from '../steps/index.js';
import { catalogFrom, type CatalogFlag } from './common.js';
import { runEngine, type EngineFlags } from './run-engine.js';

export interface ResumeFlags extends EngineFlags, CatalogFlag {
  cluster?: string;
  yes?: boolean;
}

export async function resumeCommand(flags: ResumeFlags): Promise<number> {
  const root = flags.stateDir ?? stateRoot();
  const clustersDir = join(root, 'clusters');
  let names: string[] = [];
  try {
    names = readdirSync(clustersDir);
  } catch {
    // no state yet
  }
  const unfinished = names
    .map((n) => ({ n, j: readJournal(join(clustersDir, n)) }))
    .filter((x) => x.j && x.j.status !== 'completed' && x.j.status !== 'refused');
  const pick = flags.cluster
    ? unfinished.find((x) => x.n === flags.cluster)
    : unfinished.length === 1
      ? unfinished[0]
      : undefined;
  if (!pick) {
    if (unfinished.length > 1)
      throw new UsageError(
        `several unfinished runs: ${unfinished.map((x) => x.n).join(', ')}`,
        'pass --cluster NAME',
      );
    throw new RuntimeError(
      `no unfinished run${flags.cluster ? ` for cluster ${flags.cluster}` : ''} in ${root}`,
      'start one with k8sha-wizard apply --answers FILE',
    );
  }
  const catalog = catalogFrom(flags);
  // A run between cluster sizes (a remove) may have an even number of control planes.
  const answers = validateAnswers(pick.j!.answers, `the journal of ${pick.n}`, catalog, {
    allowEvenControlPlanes: pick.j!.operation !== undefined && pick.j!.operation !== 'install',
  });
  const found = operationFor(pick.j!.operation ?? 'install', pick.j!.context ?? {});
  if (!found)
    throw new RuntimeError(
      `the unfinished run of ${pick.n} is a ${pick.j!.operation} operation, which this version does not know`,
      'resume it with the version that started it, or start over with --restart',
    );
  const { operation, departing } = found;
  process.stdout.write(
    `resuming ${operation.title.toLowerCase()} of ${pick.n}: ${journalProgress(pick.j!)}\n`,
  );
  const { code } = await runEngine({ operation, departing, answers, catalog, flags, command: 'resume' });
  // remove edits the answers when it finishes; a resumed one cannot know which file they came from.
  if (code === 0 && departing?.length)
    process.stdout.write(
      `note: take ${departing.map((h) => h.name).join(', ')} out of your answers file too (or run k8sha-wizard remove --node ${departing[0]!.name} again with it, which does that and changes nothing else)\n`,
    );
  return code;
}
