// Load the built-in catalog or a user's --catalog file, with the same limits as any user YAML.
import { InputError } from '../errors.js';
import { zodProblems } from '../input/zod-problems.js';
import { readYamlFile, toPlain } from '../input/yaml-source.js';
import { assetPath } from '../package-root.js';
import { catalogSchema, type Catalog } from './schema.js';

// Set by the bundle (scripts/build.mjs): assets/catalog.yaml, already validated by loadCatalog at build
// time. Absent when the sources run directly (tests), which read and validate the YAML.
declare const __K8SHA_BUILTIN_CATALOG__: Catalog | undefined;
let builtin: Catalog | undefined =
  typeof __K8SHA_BUILTIN_CATALOG__ === 'undefined' ? undefined : __K8SHA_BUILTIN_CATALOG__;

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
