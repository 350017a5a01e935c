// Full stdout and stderr of every step on every node, one file per node in the run directory,
// with every secret redacted before it is written.
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Redactor } from '../../state/redact.js';

export class RunLog {
  constructor(
    readonly dir: string,
    private readonly redactor: Redactor,
    /** False for a plan or an inspection: nothing is written. */
    private readonly persist = true,
  ) {
    if (persist) mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  pathFor(node: string): string {
    return join(this.dir, `${node}.log`);
  }

  write(node: string, step: string, text: string): void {
    if (!this.persist) return;
    const stamp = new Date().toISOString();
    const lines = this.redactor.redact(text).split('\n');
    appendFileSync(this.pathFor(node), lines.map((l) => `${stamp} [${step}] ${l}\n`).join(''), {
      mode: 0o600,
    });
  }
}
