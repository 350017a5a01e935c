// Runs `apply --answers FILE --yes` in-process for every file of a directory (inside the lab's
// operator namespace) and prints one JSON line per file: exit code and what went to stderr.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/program.js';

const [dir, stateDir] = process.argv.slice(2) as [string, string];
const realOut = process.stdout.write.bind(process.stdout);
const realErr = process.stderr.write.bind(process.stderr);
for (const f of readdirSync(dir)
  .filter((x) => x.endsWith('.yaml'))
  .sort()) {
  let stderr = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  }) as typeof process.stderr.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  let code: number;
  try {
    code = await main(['apply', '--answers', join(dir, f), '--yes', '--state-dir', stateDir]);
  } catch (e) {
    code = -1;
    stderr += `UNCAUGHT ${(e as Error).stack}`;
  } finally {
    process.stdout.write = realOut;
    process.stderr.write = realErr;
  }
  realOut(`${JSON.stringify({ file: f, code, stderr })}\n`);
}
