// Record instead of run: `plan` and `apply --dry-run`. Probes answer "not done" (exit 1, no output),
// so the plan lists every change a fresh install would make; changes succeed without running.
import type { ExecOptions, ExecResult, Transport } from './types.js';

export interface RecordedAction {
  host: string;
  kind: 'run' | 'upload';
  /** The shell command, or the path of an uploaded file. */
  text: string;
  mode?: number;
}

export class DryRunTransport implements Transport {
  readonly dryRun = true;
  readonly actions: RecordedAction[] = [];
  constructor(readonly host: string) {}

  async connect(): Promise<void> {}

  async exec(command: string, _opts?: ExecOptions): Promise<ExecResult> {
    this.actions.push({ host: this.host, kind: 'run', text: command });
    return { code: 0, stdout: '', stderr: '', durationMs: 0 };
  }

  async upload(path: string, _content: string | Buffer, mode: number): Promise<void> {
    this.actions.push({ host: this.host, kind: 'upload', text: path, mode });
  }

  async download(_path: string): Promise<Buffer> {
    return Buffer.from('');
  }

  async close(): Promise<void> {}
}
