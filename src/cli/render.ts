// `k8sha-wizard render --answers FILE --out DIR`: every node's files under DIR/<host>/<path on the node>,
// cluster-level files under DIR/_cluster/. Input is validated before anything is written.
import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { renderCluster } from '../render/index.js';
import type { RenderedFile } from '../render/types.js';
import { UsageError } from '../errors.js';
import { generateSecrets } from '../secrets/generate.js';
import { answersFrom, out, type CatalogFlag } from './common.js';

export async function renderCommand(opts: { answers?: string; out?: string } & CatalogFlag): Promise<void> {
  if (!opts.out) throw new UsageError('--out DIR is required', 'e.g. --out ./rendered');
  const { answers, catalog } = answersFrom(opts);
  if (existsSync(opts.out) && !statSync(opts.out).isDirectory()) {
    throw new UsageError(`--out ${opts.out} exists and is not a directory`);
  }
  const secrets = await generateSecrets();
  const result = renderCluster({ answers, catalog, secrets });

  const written: { file: string; f: RenderedFile }[] = [];
  for (const [host, files] of Object.entries(result.nodes)) {
    for (const f of files) written.push({ file: writeOne(join(opts.out, host, f.path), f), f });
  }
  for (const f of result.cluster) written.push({ file: writeOne(join(opts.out, '_cluster', f.path), f), f });

  for (const { file, f } of written) {
    out(
      `wrote ${file} (${f.mode.toString(8).padStart(4, '0')}${f.kind === 'managed-block' ? ', managed block' : ''})`,
    );
  }
  out(`${written.length} files for ${Object.keys(result.nodes).length} nodes in ${opts.out}`);
  for (const n of result.notes) out(`note: ${n}`);
  out(
    'note: the bootstrap token, certificate key, cluster CA and VRRP password in these files were generated for this render only; files that hold them are mode 0600.',
  );
}

function writeOne(path: string, f: RenderedFile): string {
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  writeFileSync(path, f.content, { mode: f.mode });
  chmodSync(path, f.mode); // writeFileSync's mode only applies to new files and is masked by umask
  return path;
}
