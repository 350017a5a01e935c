// The SSH transport (ssh2): one connection per host, reused for every command, with keepalive,
// timeouts and reconnect after a drop; host keys checked (TOFU for new hosts, refusal for changed
// keys); uploads over SFTP to a temp name, then renamed; an optional bastion.
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import ssh2 from 'ssh2';
import type { ClientChannel, ConnectConfig, SFTPWrapper } from 'ssh2';
import type { LoginCredentials, SshCredentials } from './credentials.js';
import { fingerprint, type KnownHosts } from './known-hosts.js';
import { quote, wrapForRemote, wrapForSudo } from './shell.js';
import { AuthError, UnreachableError, type ExecOptions, type ExecResult, type Transport } from './types.js';

const { Client } = ssh2;
type SshClient = InstanceType<typeof Client>;

export interface SshTransportOptions {
  knownHosts: KnownHosts;
  /** Told about newly trusted host keys (with their fingerprints). */
  onNotice?: (message: string) => void;
  connectTimeoutMs?: number;
  /** Default per-command timeout. */
  commandTimeoutMs?: number;
}

export class SshTransport implements Transport {
  readonly dryRun = false;
  private client: SshClient | undefined;
  private bastion: SshClient | undefined;
  private sftpSession: SFTPWrapper | undefined;
  private connecting: Promise<void> | undefined;

  constructor(
    readonly host: string,
    private readonly address: string,
    private readonly creds: SshCredentials,
    private readonly opts: SshTransportOptions,
  ) {}

  private get isRoot(): boolean {
    return this.creds.user === 'root';
  }

  private baseConfig(who: LoginCredentials, host: string): ConnectConfig {
    return {
      host,
      port: who.port,
      username: who.user,
      readyTimeout: this.opts.connectTimeoutMs ?? 15_000,
      keepaliveInterval: 5_000,
      keepaliveCountMax: 3,
      ...(who.privateKey ? { privateKey: who.privateKey } : {}),
      ...(who.passphrase ? { passphrase: who.passphrase } : {}),
      ...(who.agent ? { agent: who.agent } : {}),
      ...(who.password ? { password: who.password } : {}),
      hostVerifier: (key: Buffer) => this.verifyHostKey(host, who.port, key),
    };
  }

  private hostKeyError: AuthError | undefined;

  private verifyHostKey(host: string, port: number, key: Buffer): boolean {
    const verdict = this.opts.knownHosts.check(host, port, key);
    if (verdict.status === 'known') return true;
    if (verdict.status === 'new') {
      this.opts.knownHosts.remember(host, port, key);
      this.opts.onNotice?.(
        `${this.host}: trusting the new host key of ${host} on first use: ${verdict.fingerprint}`,
      );
      return true;
    }
    this.hostKeyError = new AuthError(
      this.host,
      `the host key of ${host} has CHANGED (now ${fingerprint(key)}); it does not match ${verdict.file}:${verdict.line}. Someone may be intercepting the connection, or the host was reinstalled.`,
      `if the host was reinstalled, remove the old key (ssh-keygen -R ${host} -f ${verdict.file}) and run again`,
    );
    return false;
  }

  async connect(): Promise<void> {
    if (this.client) return;
    this.connecting ??= this.open().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async open(): Promise<void> {
    this.hostKeyError = undefined;
    let sock: NodeJS.ReadableStream | undefined;
    if (this.creds.bastion) {
      const b = this.creds.bastion;
      this.bastion = await this.dial(this.baseConfig(b, b.address), `bastion ${b.address}`);
      sock = await new Promise<ClientChannel>((resolve, reject) => {
        this.bastion!.forwardOut('127.0.0.1', 0, this.address, this.creds.port, (err, stream) =>
          err
            ? reject(
                new UnreachableError(
                  this.host,
                  `bastion ${b.address} could not reach ${this.address}:${this.creds.port}: ${err.message}`,
                ),
              )
            : resolve(stream),
        );
      });
    }
    const cfg = this.baseConfig(this.creds, this.address);
    this.client = await this.dial(
      sock ? { ...cfg, sock: sock as ConnectConfig['sock'] } : cfg,
      `${this.address}:${this.creds.port}`,
    );
    this.client.on('close', () => {
      this.client = undefined;
      this.sftpSession = undefined;
    });
  }

  private dial(cfg: ConnectConfig, what: string): Promise<SshClient> {
    return new Promise((resolve, reject) => {
      const c = new Client();
      let settled = false;
      c.on('ready', () => {
        settled = true;
        resolve(c);
      });
      c.on('error', (err: Error & { level?: string }) => {
        if (settled) return;
        settled = true;
        c.end();
        if (this.hostKeyError) return reject(this.hostKeyError);
        if (err.level === 'client-authentication') {
          return reject(
            new AuthError(
              this.host,
              `authentication as ${cfg.username} on ${what} failed (${err.message})`,
              'check ssh.user, ssh.identityFile or the password environment variable; the SSH agent is used when SSH_AUTH_SOCK is set',
            ),
          );
        }
        reject(new UnreachableError(this.host, `cannot connect to ${what}: ${err.message}`));
      });
      c.connect(cfg);
    });
  }

  async exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    await this.connect();
    const client = this.client;
    if (!client) throw new UnreachableError(this.host, 'not connected');
    const sudoPw = !this.isRoot ? this.creds.sudoPassword : undefined;
    const wrapped = this.isRoot ? wrapForRemote(command) : wrapForSudo(command, sudoPw !== undefined);
    const input = sudoPw !== undefined ? `${sudoPw}\n${opts.input ?? ''}` : opts.input;
    const started = Date.now();
    return new Promise((resolve, reject) => {
      client.exec(wrapped, (err, stream) => {
        if (err) return reject(new UnreachableError(this.host, `cannot run a command: ${err.message}`));
        let stdout = '';
        let stderr = '';
        let code: number | undefined;
        let partialOut = '';
        let partialErr = '';
        const lines = (chunk: string, partial: string, cb?: (l: string) => void): string => {
          const all = partial + chunk;
          const parts = all.split('\n');
          const rest = parts.pop()!;
          if (cb) for (const p of parts) cb(p);
          return rest;
        };
        const onLost = () =>
          finish(new UnreachableError(this.host, 'the connection was lost while a command ran'));
        client.once('close', onLost);
        const timer = setTimeout(
          () => {
            stream.close();
            finish(new Error(`timed out after ${Math.round((opts.timeoutMs ?? 0) / 1000)} s`));
          },
          opts.timeoutMs ?? this.opts.commandTimeoutMs ?? 15 * 60_000,
        );
        let done = false;
        const finish = (e?: Error) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          client.removeListener('close', onLost);
          if (partialOut) opts.onStdout?.(partialOut);
          if (partialErr) opts.onStderr?.(partialErr);
          if (e) return reject(e);
          resolve({ code: code ?? 255, stdout, stderr, durationMs: Date.now() - started });
        };
        stream.on('data', (d: Buffer) => {
          const t = d.toString('utf8');
          stdout += t;
          partialOut = lines(t, partialOut, opts.onStdout);
        });
        stream.stderr.on('data', (d: Buffer) => {
          const t = d.toString('utf8');
          stderr += t;
          partialErr = lines(t, partialErr, opts.onStderr);
        });
        stream.on('exit', (c: number | null) => (code = c ?? 255));
        stream.on('close', () => finish());
        if (input !== undefined) stream.end(input);
        else stream.end();
      });
    });
  }

  private async sftp(): Promise<SFTPWrapper> {
    await this.connect();
    if (this.sftpSession) return this.sftpSession;
    const client = this.client!;
    this.sftpSession = await new Promise<SFTPWrapper>((resolve, reject) =>
      client.sftp((err, s) =>
        err ? reject(new UnreachableError(this.host, `SFTP failed: ${err.message}`)) : resolve(s),
      ),
    );
    return this.sftpSession;
  }

  async upload(path: string, content: string | Buffer, mode: number): Promise<void> {
    const data = typeof content === 'string' ? Buffer.from(content) : content;
    const tag = randomBytes(6).toString('hex');
    const sftp = await this.sftp();
    const write = (target: string) =>
      new Promise<void>((resolve, reject) =>
        sftp.writeFile(target, data, { mode }, (err) =>
          err ? reject(new Error(`SFTP write ${target}: ${err.message}`)) : resolve(),
        ),
      );
    if (this.isRoot) {
      const tmp = `${path}.k8sha-${tag}`;
      await this.mustExec(`mkdir -p ${quote(dirname(path))}`);
      await write(tmp);
      // chmod after the write: the mode on open is masked by the server's umask.
      await this.mustExec(
        `chmod ${mode.toString(8)} ${quote(tmp)} && chown root:root ${quote(tmp)} && mv -f ${quote(tmp)} ${quote(path)}`,
      );
      return;
    }
    const tmp = `/tmp/.k8sha-upload-${tag}`;
    await write(tmp);
    await this.mustExec(
      `mkdir -p ${quote(dirname(path))} && install -m ${mode.toString(8)} -o root -g root ${quote(tmp)} ${quote(`${path}.k8sha-${tag}`)} && mv -f ${quote(`${path}.k8sha-${tag}`)} ${quote(path)}; rc=$?; rm -f ${quote(tmp)}; exit $rc`,
    );
  }

  private async mustExec(cmd: string): Promise<void> {
    const r = await this.exec(cmd, { timeoutMs: 60_000 });
    if (r.code !== 0) throw new Error(`${cmd} failed (exit ${r.code}): ${r.stderr.trim()}`);
  }

  async download(path: string): Promise<Buffer> {
    const r = await this.exec(`base64 < ${quote(path)}`, { timeoutMs: 60_000 });
    if (r.code !== 0) throw new Error(`cannot read ${path}: ${r.stderr.trim()}`);
    return Buffer.from(r.stdout.replace(/\s+/g, ''), 'base64');
  }

  async close(): Promise<void> {
    this.client?.end();
    this.bastion?.end();
    this.client = undefined;
    this.bastion = undefined;
    this.sftpSession = undefined;
  }
}
