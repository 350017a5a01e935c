// Record instead of run: `plan` and `apply --dry-run`. Changes succeed without running and are
// recorded in order, tagged with their step: the plan is made of what this transport recorded.
// Reads answer as the host would look: files the plan uploaded read back as uploaded (cat,
// sha256sum, stat), so a step that checks its own work sees it done; any other read goes to the real
// host when there is one (a plan with real facts shows only what a run would change there), and is
// "not there yet" (exit 1, no output) otherwise. Steps never need to know they run dry.
import { createHash } from 'node:crypto';
import type { ExecOptions, ExecResult, Transport, UploadOptions } from './types.js';

export interface RecordedAction {
  host: string;
  step: string;
  /** The node the step runs for (a cluster step runs commands on other hosts too). */
  node: string;
  kind: 'run' | 'upload';
  /** The shell command (or its label), or the path of an uploaded file. */
  text: string;
  /** The full command, or the uploaded content. */
  command?: string;
  content?: Buffer;
  mode?: number;
}

const REDIRECT = /\s+2>\s*\/dev\/null\s*$/;

export class DryRunTransport implements Transport {
  readonly actions: RecordedAction[] = [];
  private readonly files = new Map<string, { content: Buffer; mode: number }>();

  /**
   * @param real reads go here (read-only commands only), when the plan may look at the real host
   * @param answer canned answers for reads of an offline plan (the facts it assumes)
   */
  constructor(
    readonly host: string,
    private readonly real?: Transport,
    private readonly answer?: (command: string) => string | undefined,
  ) {}

  async connect(): Promise<void> {
    await this.real?.connect();
  }

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
    this.actions.push({
      host: this.host,
      step: opts.step ?? '',
      node: opts.node ?? this.host,
      kind: 'run',
      text: opts.label ?? command,
      command,
    });
    return { code: 0, stdout: '', stderr: '', durationMs: 0 };
  }

  async answerProbe(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const local = this.read(command) ?? this.answer?.(command);
    if (local !== undefined) {
      for (const l of local.split('\n').filter(Boolean)) opts.onStdout?.(l);
      return { code: 0, stdout: local, stderr: '', durationMs: 0 };
    }
    if (this.real) return this.real.exec(command, opts);
    return { code: 1, stdout: '', stderr: '', durationMs: 0 };
  }

  async upload(
    path: string,
    content: string | Buffer,
    mode: number,
    opts: UploadOptions = {},
  ): Promise<void> {
    const data = Buffer.from(content);
    this.files.set(path, { content: data, mode });
    this.actions.push({
      host: this.host,
      step: opts.step ?? '',
      node: opts.node ?? this.host,
      kind: 'upload',
      text: path,
      content: data,
      mode,
    });
  }

  async download(path: string): Promise<Buffer> {
    const recorded = this.files.get(path);
    if (recorded) return recorded.content;
    return this.real ? this.real.download(path).catch(() => Buffer.from('')) : Buffer.from('');
  }

  async close(): Promise<void> {
    await this.real?.close();
  }
}
