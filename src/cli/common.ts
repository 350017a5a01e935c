// Small pieces every command shares: loading the catalog and answers from flags.
import { loadAnswersFile, validateAnswers } from '../answers/load.js';
import { compact } from '../wizard/draft.js';
import { savedAnswers } from '../wizard/saved-answers.js';
import type { RuleOptions } from '../answers/rules.js';
import type { Answers } from '../answers/schema.js';
import { loadCatalog } from '../catalog/load.js';
import type { Catalog } from '../catalog/schema.js';
import { UsageError } from '../errors.js';

export interface CatalogFlag {
  catalog?: string;
}

export function catalogFrom(opts: CatalogFlag): Catalog {
  return loadCatalog(opts.catalog);
}

export function answersFrom(
  opts: { answers?: string } & CatalogFlag,
  allowSaved = false,
  rules: RuleOptions = {},
): { answers: Answers; catalog: Catalog; file: string; saved: boolean } {
  const catalog = catalogFrom(opts);
  if (!opts.answers) {
    const store = allowSaved ? savedAnswers() : undefined;
    const saved = store?.load();
    if (!store || !saved) {
      throw new UsageError(
        '--answers FILE is required',
        store
          ? `there are no saved answers either (${store.path}); run k8sha-wizard first, or pass --answers`
          : 'pass the answers YAML, e.g. --answers assets/examples/seed-cluster.yaml',
      );
    }
    return {
      answers: validateAnswers(compact(saved.draft), `the saved answers (${store.path})`, catalog, rules),
      catalog,
      file: store.path,
      saved: true,
    };
  }
  return {
    answers: loadAnswersFile(opts.answers, catalog, rules),
    catalog,
    file: opts.answers,
    saved: false,
  };
}

export function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}
