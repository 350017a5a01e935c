// Run on this machine: for a single-node cluster on the operator's own host, and for tests.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { REMOTE_ENV } from './shell.js';
import type { ExecOptions, ExecResult, Transport } from './types.js';

export class LocalTransport implements Transport {
  constructor(readonly host: string) {}

  async connect(): Promise<void> {}

  exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const child = spawn('sh', ['-c', `${REMOTE_ENV} ${command}`], { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      const split = (cb?: (l: string) => void) => {
        let partial = '';
        return (d: Buffer) => {
          const parts = (partial + d.toString('utf8')).split('\n');
          partial = parts.pop()!;
          if (cb) for (const p of parts) cb(p);
        };
      };
      const outLines = split(opts.onStdout);
      const errLines = split(opts.onStderr);
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString('utf8');
        outLines(d);
      });
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString('utf8');
        errLines(d);
      });
      const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
      child.on('error', reject);
      child.on('close', (code) => {
        if (timer) clearTimeout(timer);
        resolve({ code: code ?? 255, stdout, stderr, durationMs: Date.now() - started });
      });
      child.stdin.end(opts.input ?? '');
    });
  }

  async upload(path: string, content: string | Buffer, mode: number): Promise<void> {
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.k8sha-${randomBytes(6).toString('hex')}`;
    writeFileSync(tmp, content, { mode });
    chmodSync(tmp, mode);
    renameSync(tmp, path);
  }

  async download(path: string): Promise<Buffer> {
    return readFileSync(path);
  }

  async close(): Promise<void> {}
}
