// `k8sha-wizard apply --answers FILE [--yes]`: install (or continue installing) the cluster.
import { createInterface } from 'node:readline/promises';
import { controlPlanes, workers } from '../answers/model.js';
import { UsageError } from '../errors.js';
import { answersFrom, type CatalogFlag } from './common.js';
import { install } from '../steps/index.js';
import { planCommand } from './plan.js';
import { runEngine, type EngineFlags } from './run-engine.js';

export interface ApplyFlags extends EngineFlags, CatalogFlag {
  answers?: string;
  yes?: boolean;
  dryRun?: boolean;
}

export async function applyCommand(flags: ApplyFlags): Promise<number> {
  if (flags.dryRun) return planCommand({ ...flags, format: 'text' });
  // Without --answers, replay the wizard's saved answers.
  const { answers, catalog } = answersFrom(flags, true);
  if (!flags.yes) {
    if (!process.stdin.isTTY) {
      throw new UsageError(
        'apply changes every host in the answers and needs a confirmation, but there is no terminal to ask on',
        'pass --yes to run unattended',
      );
    }
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    const reply = await rl.question(
      `Install cluster ${answers.cluster.name} on ${controlPlanes(answers).length} control plane(s) and ${workers(answers).length} worker(s)? [y/N] `,
    );
    rl.close();
    if (!/^y(es)?$/i.test(reply.trim())) {
      process.stdout.write('nothing changed\n');
      return 0;
    }
  }
  const { code } = await runEngine({ operation: install, answers, catalog, flags });
  return code;
}
