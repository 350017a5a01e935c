// assets/catalog.yaml as the bundle embeds it (scripts/build.mjs), already validated by loadCatalog at
// build time; undefined when the sources run directly (tests), which read and validate the YAML. Kept
// apart from load.ts so that the wizard's first screen gets the catalog without loading yaml and zod.
import type { Catalog } from './schema.js';

declare const __K8SHA_BUILTIN_CATALOG__: Catalog | undefined;
export const BUNDLED_CATALOG: Catalog | undefined =
  typeof __K8SHA_BUILTIN_CATALOG__ === 'undefined' ? undefined : __K8SHA_BUILTIN_CATALOG__;
