// Load the built-in catalog or a user's --catalog file, with the same limits as any user YAML.
import { InputError } from '../errors.js';
import { zodProblems } from '../input/zod-problems.js';
import { readYamlFile, toPlain } from '../input/yaml-source.js';
import { assetPath } from '../package-root.js';
import { BUNDLED_CATALOG } from './bundled.js';
import { catalogSchema, type Catalog } from './schema.js';

let builtin: Catalog | undefined = BUNDLED_CATALOG;

export function loadCatalog(file?: string): Catalog {
  if (!file && builtin) return builtin;
  const src = readYamlFile(file ?? assetPath('catalog.yaml'));
  const parsed = catalogSchema.safeParse(toPlain(src));
  if (!parsed.success) {
    throw new InputError(
      src.name,
      zodProblems(parsed.error, src),
      'compare your catalog with assets/catalog.yaml',
    );
  }
  if (!file) builtin = parsed.data;
  return parsed.data;
}
