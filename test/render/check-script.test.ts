// keepalived's check script, run for real with /bin/sh and curl against local servers that stand in
// for haproxy: nothing listening, a listener with no healthy backend, and a healthy apiserver.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderCheckScript } from '../../src/render/keepalived.js';
import { seedWith, valid } from '../helpers/answers.js';

const dir = mkdtempSync(join(tmpdir(), 'k8sha-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function scriptFor(port: number): string {
  const f = renderCheckScript(
    valid(seedWith((s) => ((s.loadBalancer as Record<string, unknown>).port = port))),
  );
  const path = join(dir, `check-${port}.sh`);
  writeFileSync(path, f.content);
  chmodSync(path, f.mode);
  return path;
}

/** Async, so the servers in this process keep answering while the script runs. */
function run(script: string, ...args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', [script, ...args], { stdio: 'ignore' });
    child.on('exit', (code) => resolve(code ?? -1));
  });
}

async function listen<T extends Server | HttpsServer>(server: T): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return (server.address() as AddressInfo).port;
}

let key = '';
let cert = '';
beforeAll(() => {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      join(dir, 'k.pem'),
      '-out',
      join(dir, 'c.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=apiserver',
    ],
    { stdio: 'ignore' },
  );
  key = readFileSync(join(dir, 'k.pem'), 'utf8');
  cert = readFileSync(join(dir, 'c.pem'), 'utf8');
});

describe('check_apiserver.sh', () => {
  it('fails both checks when nothing listens on the LB port', async () => {
    const probe = createTcpServer();
    const port = await listen(probe);
    await new Promise((r) => probe.close(r));
    const script = scriptFor(port);
    expect(await run(script, 'lb')).toBe(1);
    expect(await run(script)).toBe(1);
  });

  it('passes the LB check but fails /healthz while haproxy has no healthy backend', async () => {
    const haproxyWithoutBackend = createTcpServer((s) => s.destroy());
    const port = await listen(haproxyWithoutBackend);
    const script = scriptFor(port);
    try {
      expect(await run(script, 'lb')).toBe(0);
      expect(await run(script)).toBe(1);
    } finally {
      await new Promise((r) => haproxyWithoutBackend.close(r));
    }
  });

  it('passes both when an apiserver answers /healthz with 200, and fails /healthz on 500', async () => {
    let healthy = true;
    const apiserver = createHttpsServer({ key, cert }, (req, res) => {
      res.writeHead(req.url === '/healthz' && healthy ? 200 : 500);
      res.end(healthy ? 'ok' : 'etcd failed');
    });
    const port = await listen(apiserver);
    const script = scriptFor(port);
    try {
      expect(await run(script, 'lb')).toBe(0);
      expect(await run(script)).toBe(0);
      healthy = false;
      expect(await run(script)).toBe(1);
      expect(await run(script, 'lb')).toBe(0);
    } finally {
      await new Promise((r) => apiserver.close(r));
    }
  });
});
