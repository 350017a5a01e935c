// `k8sha-wizard export [--out FILE]`: the saved answers as YAML that `apply --answers` takes unchanged.
import { writeFileSync } from 'node:fs';
import { RuntimeError } from '../errors.js';
import { exportYaml } from '../wizard/export-yaml.js';
import { savedAnswers } from '../wizard/saved-answers.js';

export function exportCommand(flags: { out?: string }): number {
  const store = savedAnswers();
  const saved = store.load();
  if (!saved)
    throw new RuntimeError(
      `there are no saved answers (looked in ${store.path})`,
      'run k8sha-wizard to answer the questions first',
    );
  const text = exportYaml(saved.draft);
  if (flags.out) {
    writeFileSync(flags.out, text, { mode: 0o600 });
    process.stdout.write(`wrote ${flags.out}\n`);
  } else process.stdout.write(text);
  return 0;
}
