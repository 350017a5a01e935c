// The simulator daemon of one lab host: started at boot inside the host's namespaces, it serves every
// simulated command through /run/k8sha-lab/sim.sock (client.pl is the other end) and runs the host's
// kubelet stand-in. A command then costs a few milliseconds of CPU instead of a Node start-up.
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { err as errLine, journal, SimExit } from './env.js';
import { Passthrough, runInvocation, type Invocation } from './invocation.js';

export const SOCKET = '/run/k8sha-lab/sim.sock';

type Dispatch = (cmd: string, argv: string[]) => Promise<void>;
type Exit = (e: unknown) => number;

function frame(type: string, payload: Buffer | string): Buffer {
  const p = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeUInt32BE(p.length, 1);
  return Buffer.concat([head, p]);
}

function strings(buf: Buffer, off: number, count: number): { list: string[]; off: number } {
  const list: string[] = [];
  for (let i = 0; i < count; i++) {
    const len = buf.readUInt32BE(off);
    list.push(buf.subarray(off + 4, off + 4 + len).toString('utf8'));
    off += 4 + len;
  }
  return { list, off };
}

function parseHeader(h: Buffer): { argv: string[]; cwd: string; env: Record<string, string>; uid: number } {
  const argc = h.readUInt32BE(0);
  const a = strings(h, 4, argc);
  const c = strings(h, a.off, 1);
  const envc = h.readUInt32BE(c.off);
  const e = strings(h, c.off + 4, envc);
  const env: Record<string, string> = {};
  for (const kv of e.list) {
    const i = kv.indexOf('=');
    if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return { argv: a.list, cwd: c.list[0]!, env, uid: h.readUInt32BE(e.off) };
}

function brokenPipe(): never {
  throw new SimExit(141, '');
}

function serve(sock: Socket, dispatch: Dispatch, exitCode: Exit): void {
  let buf = Buffer.alloc(0);
  let started = false;
  const stdinChunks: Buffer[] = [];
  let stdinDone = false;
  let stdinWaiters: ((s: string) => void)[] = [];
  let stdinAsked = false;
  let closed = false;
  sock.on('error', () => (closed = true));
  sock.on('close', () => (closed = true));
  const send = (b: Buffer) => {
    if (!closed) sock.write(b);
  };
  const finishStdin = () => {
    stdinDone = true;
    const text = Buffer.concat(stdinChunks).toString('utf8');
    for (const w of stdinWaiters) w(text);
    stdinWaiters = [];
  };
  sock.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 5) {
      const type = buf.toString('latin1', 0, 1);
      const len = buf.readUInt32BE(1);
      if (buf.length < 5 + len) break;
      const payload = buf.subarray(5, 5 + len);
      buf = buf.subarray(5 + len);
      if (type === 'I') stdinChunks.push(Buffer.from(payload));
      else if (type === 'C') finishStdin();
      else if (type === 'H' && !started) {
        started = true;
        const h = parseHeader(payload);
        const inv: Invocation = {
          argv: h.argv.slice(1),
          cwd: h.cwd,
          env: h.env,
          uid: h.uid,
          // A process whose caller went away (its SSH session killed) dies at its next write, of
          // SIGPIPE, as a real one does: it does not finish its work unseen.
          stdout: (t) => (closed ? brokenPipe() : send(frame('O', t))),
          stderr: (t) => (closed ? brokenPipe() : send(frame('E', t))),
          stdin: () =>
            new Promise((resolve) => {
              if (stdinDone) return resolve(Buffer.concat(stdinChunks).toString('utf8'));
              stdinWaiters.push(resolve);
              if (!stdinAsked) {
                stdinAsked = true;
                send(frame('S', ''));
              }
            }),
          passthrough: (argv) => {
            throw new Passthrough(argv);
          },
        };
        void runInvocation(inv, () => dispatch(h.argv[0]!, inv.argv)).then(
          () => {
            send(frame('X', Buffer.from([0, 0, 0, 0])));
            sock.end();
          },
          (e: unknown) => {
            if (e instanceof Passthrough) {
              const n = Buffer.alloc(4);
              n.writeUInt32BE(e.argv.length);
              const parts = e.argv.map((a) => {
                const b = Buffer.from(a);
                const l = Buffer.alloc(4);
                l.writeUInt32BE(b.length);
                return Buffer.concat([l, b]);
              });
              send(frame('P', Buffer.concat([n, ...parts])));
              sock.end();
              return;
            }
            const code = runInvocation(inv, () => exitCode(e));
            const c = Buffer.alloc(4);
            c.writeUInt32BE(code);
            send(frame('X', c));
            sock.end();
          },
        );
      }
    }
  });
}

export function startDaemon(dispatch: Dispatch, exitCode: Exit, onStart?: () => void): void {
  mkdirSync('/run/k8sha-lab', { recursive: true });
  rmSync(SOCKET, { force: true });
  // A bug in one command must not take every other command on the host down with it.
  process.on('uncaughtException', (e) => journal('sim-daemon', `uncaught: ${e.stack ?? String(e)}`));
  process.on('unhandledRejection', (e) =>
    journal('sim-daemon', `unhandled: ${(e as Error)?.stack ?? String(e)}`),
  );
  const server = createServer((sock) => serve(sock, dispatch, exitCode));
  server.listen(SOCKET, () => {
    chmodSync(SOCKET, 0o666); // the ops user runs commands too (through sudo, mostly)
    onStart?.();
  });
  server.on('error', (e) => errLine(`lab simulator: ${e.message}`));
}
