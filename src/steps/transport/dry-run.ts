// Record instead of run: `plan` and `apply --dry-run`. Changes succeed without running and are
// recorded in order. Reads answer as the host would look after the recorded changes: a file the plan
// uploaded can be read back (cat, sha256sum, stat), so a step that checks its own work sees it done;
// anything else is "not there yet" (exit 1, no output), so the plan lists every change a fresh
// install makes. Steps never need to know they run dry.
import { createHash } from 'node:crypto';
import type { ExecOptions, ExecResult, Transport } from './types.js';

export interface RecordedAction {
  host: string;
  kind: 'run' | 'upload';
  /** The shell command, or the path of an uploaded file. */
  text: string;
  mode?: number;
}

const REDIRECT = /\s+2>\s*\/dev\/null\s*$/;

export class DryRunTransport implements Transport {
  readonly dryRun = true;
  readonly actions: RecordedAction[] = [];
  private readonly files = new Map<string, { content: Buffer; mode: number }>();

  constructor(readonly host: string) {}

  async connect(): Promise<void> {}

  /** Answer a read of recorded files, or undefined when the command is not only such reads. */
  private read(command: string): string | undefined {
    let out = '';
    for (const raw of command.split(/;\s*/)) {
      const part = raw.replace(REDIRECT, '').trim();
      if (!part) continue;
      let m: RegExpExecArray | null;
      if ((m = /^cat\s+'?([^'\s]+)'?$/.exec(part))) {
        const f = this.files.get(m[1]!);
        if (!f) return undefined;
        out += f.content.toString('utf8');
      } else if ((m = /^sha256sum\s+'?([^'\s]+)'?$/.exec(part))) {
        const f = this.files.get(m[1]!);
        if (!f) return undefined;
        out += `${createHash('sha256').update(f.content).digest('hex')}  ${m[1]}\n`;
      } else if ((m = /^stat -c %a\s+'?([^'\s]+)'?$/.exec(part))) {
        const f = this.files.get(m[1]!);
        if (!f) return undefined;
        out += `${f.mode.toString(8)}\n`;
      } else if ((m = /^echo\s+(\S+)$/.exec(part))) out += `${m[1]}\n`;
      else return undefined;
    }
    return out;
  }

  async exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const answer = this.read(command);
    if (answer !== undefined) {
      for (const l of answer.split('\n').filter(Boolean)) opts.onStdout?.(l);
      return { code: 0, stdout: answer, stderr: '', durationMs: 0 };
    }
    this.actions.push({ host: this.host, kind: 'run', text: command });
    return { code: 0, stdout: '', stderr: '', durationMs: 0 };
  }

  /** A probe (read-only) that is not a read of recorded files: the state is unknown, so "not done". */
  async answerProbe(command: string): Promise<ExecResult> {
    const answer = this.read(command);
    return answer !== undefined
      ? { code: 0, stdout: answer, stderr: '', durationMs: 0 }
      : { code: 1, stdout: '', stderr: '', durationMs: 0 };
  }

  async upload(path: string, content: string | Buffer, mode: number): Promise<void> {
    this.files.set(path, { content: Buffer.from(content), mode });
    this.actions.push({ host: this.host, kind: 'upload', text: path, mode });
  }

  async download(path: string): Promise<Buffer> {
    return this.files.get(path)?.content ?? Buffer.from('');
  }

  async close(): Promise<void> {}
}
