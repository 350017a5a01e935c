// Bundle the CLI with esbuild: one ESM entry plus lazily loaded chunks, so commands that need no UI
// never load Ink (bundled Ink starts in ~0.47 s vs ~0.86 s unbundled on these machines).
import { build } from 'esbuild';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const STUBS = resolve('dist/stubs');
rmSync('dist', { recursive: true, force: true });
mkdirSync(STUBS, { recursive: true });
// Ink imports react-devtools-core only in dev mode; an empty module keeps it out of the bundle.
writeFileSync(`${STUBS}/react-devtools-core.js`, 'export default {};\n');
// zod re-exports all of its ~50 message locales; only English is ever used (z.config(en()) is zod's
// own default). The rest was ~200 KB that every start-up parsed.
writeFileSync(
  `${STUBS}/zod-locales.js`,
  `export { default as en } from ${JSON.stringify(resolve('node_modules/zod/v4/locales/en.js'))};\n`,
);
// conf builds an Ajv validator only when given a JSON schema, and the tool never gives it one (zod
// validates the answers). Ajv and its formats were ~150 KB parsed at every wizard start.
writeFileSync(
  `${STUBS}/ajv.js`,
  [
    'const unused = () => { throw new Error("conf was given a JSON schema, but Ajv is not bundled"); };',
    'export class Ajv2020 { constructor() { unused(); } }',
    'export default unused;',
    '',
  ].join('\n'),
);

// The built-in catalog is validated here, with the same loader and schema the CLI uses, and embedded:
// the wizard's first frame then waits for neither a YAML parse (~25 ms cold) nor zod's first run.
const catalogLoader = `${STUBS}/catalog-load.mjs`;
await build({
  entryPoints: ['src/catalog/load.ts'],
  outfile: catalogLoader,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
const builtinCatalog = JSON.stringify((await import(catalogLoader)).loadCatalog());

/** Build-time edits of dependencies, each failing the build when the dependency changed shape. */
const startupPlugin = {
  name: 'k8sha-startup',
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (a) =>
      a.importer.includes('/node_modules/zod/') ? { path: `${STUBS}/zod-locales.js` } : undefined,
    );
    b.onResolve({ filter: /^(ajv\/dist\/2020\.js|ajv-formats)$/ }, (a) =>
      a.importer.includes('/node_modules/conf/') ? { path: `${STUBS}/ajv.js` } : undefined,
    );
    // Yoga's loader fetch()es its wasm from a data: URL when fetch exists, which loads Node's whole
    // fetch implementation (undici) at start-up; its own synchronous base64 path gives the same bytes.
    b.onLoad({ filter: /yoga-layout\/dist\/binaries\/yoga-wasm-base64-esm\.js$/ }, (a) => {
      const source = readFileSync(a.path, 'utf8');
      const patched = source.replaceAll('"function"!=typeof fetch', 'true');
      if (patched === source)
        throw new Error(`${a.path}: the fetch() test to bypass is gone; update scripts/build.mjs`);
      return { contents: patched, loader: 'js' };
    });
  },
};

await build({
  entryPoints: { cli: 'src/cli.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  // Less to read and parse at start-up (the first frame); the source map keeps stack traces readable.
  minify: true,
  // ssh2 loads optional native addons by path; leave it (and its deps) to node_modules.
  external: ['ssh2', 'cpu-features'],
  alias: { 'react-devtools-core': `${STUBS}/react-devtools-core.js` },
  plugins: [startupPlugin],
  define: { 'process.env.NODE_ENV': '"production"', __K8SHA_BUILTIN_CATALOG__: builtinCatalog },
  // Bundled CommonJS deps call require(); give ESM output a real one.
  banner: {
    js: "import { createRequire as __k8shaCreateRequire } from 'node:module'; const require = __k8shaCreateRequire(import.meta.url);",
  },
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
});
rmSync(STUBS, { recursive: true, force: true });
chmodSync('dist/cli.js', 0o755);
