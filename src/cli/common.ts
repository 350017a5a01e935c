// Small pieces every command shares: loading the catalog and answers from flags.
import { loadAnswersFile } from '../answers/load.js';
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

export function answersFrom(opts: { answers?: string } & CatalogFlag): {
  answers: Answers;
  catalog: Catalog;
  file: string;
} {
  if (!opts.answers)
    throw new UsageError(
      '--answers FILE is required',
      'pass the answers YAML, e.g. --answers assets/examples/seed-cluster.yaml',
    );
  const catalog = catalogFrom(opts);
  return { answers: loadAnswersFile(opts.answers, catalog), catalog, file: opts.answers };
}

export function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}
