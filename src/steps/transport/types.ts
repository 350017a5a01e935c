// One interface for every way of running commands on a node: SSH, this machine, and a dry run
// that records instead of running. Steps see only this.

export interface ExecOptions {
  /** Text for the command's stdin. */
  input?: string;
  timeoutMs?: number;
  onStdout?: (line: string) => void;
  onStderr?: (line: string) => void;
  /** The step this command belongs to, the node that step runs for, and how to show it (what a
   * recorded plan lists). */
  step?: string;
  node?: string;
  label?: string;
}

export type UploadOptions = Pick<ExecOptions, 'step' | 'node' | 'label'>;

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface Transport {
  readonly host: string;
  connect(): Promise<void>;
  /** Run a shell command (POSIX sh) as root: directly, or through sudo for a non-root user. */
  exec(command: string, opts?: ExecOptions): Promise<ExecResult>;
  /** Write a file atomically (temp name, then rename) with this mode, owned by root. */
  upload(path: string, content: string | Buffer, mode: number, opts?: UploadOptions): Promise<void>;
  download(path: string): Promise<Buffer>;
  close(): Promise<void>;
  /** A transport that records instead of running (a dry run) answers read-only probes itself. */
  answerProbe?(command: string, opts?: ExecOptions): Promise<ExecResult>;
}

/** The host could not be reached (connect failed, or the connection dropped mid-command). */
export class UnreachableError extends Error {
  constructor(
    readonly host: string,
    message: string,
  ) {
    super(message);
    this.name = 'UnreachableError';
  }
}

/** Authentication or host-key failures: retrying will not help, a person must act. */
export class AuthError extends UnreachableError {
  constructor(
    host: string,
    message: string,
    readonly hint: string,
  ) {
    super(host, message);
    this.name = 'AuthError';
  }
}
