// An answers file opened in the wizard (`k8sha-wizard --answers FILE`, or the Start screen's "load a
// YAML file"): checked as `apply --answers` checks it, with the file's own line numbers in every
// message, then handed to the screens as a draft.
import { validateAnswersSource } from '../answers/load.js';
import type { Catalog } from '../catalog/schema.js';
import { readYamlFile, toPlain } from '../input/yaml-source.js';
import type { Draft } from './draft.js';

/** Throws InputError (what is wrong, file:line:col, what to try) for a file `apply` would refuse. */
export function draftFromFile(path: string, catalog: Catalog): Draft {
  const src = readYamlFile(path);
  validateAnswersSource(src, catalog);
  return toPlain(src) as Draft;
}
