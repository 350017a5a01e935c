// verify's remote script runs for real (sh, awk, sed) with kubectl and curl replaced by stubs that
// print the node and pod rows a cluster would. Every external command it calls is counted.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyScript } from '../../src/steps/verify.js';
import { hostsOf, seedPlain, seedWith, valid } from '../helpers/answers.js';

let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = '';
});

const CP_LABELS = '{"kubernetes.io/hostname":"x","node-role.kubernetes.io/control-plane":""}';
const WORKER_LABELS = '{"kubernetes.io/hostname":"x"}';

interface Cluster {
  nodes: string[]; // tab-separated rows: name, labels, Ready status, Ready message
  pods?: string[]; // tab-separated rows: k8s-app, node, ready, waiting reason, waiting message
  nodesFail?: string; // kubectl get nodes fails with this message
}

function run(script: string, c: Cluster): { code: number | null; stdout: string; calls: string[] } {
  dir = mkdtempSync(join(tmpdir(), 'k8sha-verify-'));
  writeFileSync(join(dir, 'nodes'), c.nodes.map((r) => `${r}\n`).join(''));
  writeFileSync(join(dir, 'pods'), (c.pods ?? []).map((r) => `${r}\n`).join(''));
  const fail = c.nodesFail ? `echo '${c.nodesFail}' >&2; exit 1` : `cat '${dir}/nodes'`;
  writeFileSync(
    join(dir, 'kubectl'),
    `#!/bin/sh\necho kubectl >> '${dir}/calls'\ncase "$*" in *'get nodes'*) ${fail};; *'get pods'*) cat '${dir}/pods';; esac\n`,
  );
  writeFileSync(join(dir, 'curl'), `#!/bin/sh\necho curl >> '${dir}/calls'\nexit 0\n`);
  // awk, sed, cut and tail: the real ones, counted.
  for (const tool of ['awk', 'sed', 'cut', 'tail']) {
    const real = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    writeFileSync(join(dir, tool), `#!/bin/sh\necho ${tool} >> '${dir}/calls'\nexec '${real}' "$@"\n`);
    chmodSync(join(dir, tool), 0o755);
  }
  chmodSync(join(dir, 'kubectl'), 0o755);
  chmodSync(join(dir, 'curl'), 0o755);
  const r = spawnSync('sh', ['-c', script], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
  });
  let calls: string[] = [];
  try {
    calls = readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n');
  } catch {
    /* no stub was called */
  }
  return { code: r.status, stdout: r.stdout, calls };
}

const seed = valid(seedPlain());
const healthyRows = seed.hosts.map(
  (h) =>
    `${h.name}\t${h.role === 'control-plane' ? CP_LABELS : WORKER_LABELS}\tTrue\tkubelet is posting ready status`,
);

describe('the verify script', () => {
  it('passes a healthy cluster with one kubectl per question and no curl, naming a node the answers lack', () => {
    const r = run(verifyScript(seed, 1), {
      nodes: [...healthyRows, `stranger\t${WORKER_LABELS}\tTrue\t`],
      pods: ['calico-node\tmaster01\ttrue\t\t'],
    });
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(['extra stranger']);
    expect(r.calls.filter((c) => c === 'kubectl' || c === 'curl')).toEqual(['kubectl', 'kubectl']);
  });

  it('names each problem: not registered, not Ready with its message, the wrong role, a failing pod', () => {
    const rows = healthyRows.filter((row) => !row.startsWith('worker02\t'));
    rows[0] = rows[0]!.replace(CP_LABELS, WORKER_LABELS); // master01 lost its control-plane label
    rows[3] = `worker01\t${CP_LABELS}\tFalse\tcontainer runtime network not ready`;
    const r = run(verifyScript(seed, 1), {
      nodes: rows,
      pods: [
        'calico-node\tworker01\tfalse\tCrashLoopBackOff\tback-off 10s',
        'kube-proxy\tmaster02\ttrue\t\t',
      ],
    });
    expect(r.code).toBe(1);
    expect(r.stdout.trim().split('\n').sort()).toEqual(
      [
        'master01 has the wrong role (no control-plane label)',
        'worker01 is not Ready (container runtime network not ready)',
        'worker01 has the wrong role (labelled control-plane)',
        'worker02 is not registered in the cluster',
        'calico-node on worker01 is CrashLoopBackOff: back-off 10s',
      ].sort(),
    );
  });

  it('says kubectl failed and asks curl whether the endpoint answers when the API does not', () => {
    const r = run(verifyScript(seed, 1), { nodes: [], nodesFail: 'connection refused' });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('kubectl get nodes failed: connection refused');
    expect(r.stdout).toContain('worker02 is not registered in the cluster');
    expect(r.calls).toContain('curl');
  });

  // The 103-node bench timed out in this check when each look ran a few processes per node.
  it('looks at 103 nodes with as many processes as at 5', () => {
    const big = valid(
      seedWith((a) => {
        a.hosts = hostsOf(3, 100);
        (a.loadBalancer as { vip: string }).vip = '172.16.100.250/24'; // .150 is worker50 here
      }),
    );
    const rows = big.hosts.map(
      (h) => `${h.name}\t${h.role === 'control-plane' ? CP_LABELS : WORKER_LABELS}\tTrue\t`,
    );
    const healthyBig = run(verifyScript(big, 1), { nodes: rows });
    expect(healthyBig.code).toBe(0);
    expect(healthyBig.stdout).toBe('');
    const healthySeed = run(verifyScript(seed, 1), { nodes: healthyRows });
    expect(healthyBig.calls.length).toBe(healthySeed.calls.length);
    expect(healthyBig.calls.length).toBeLessThan(10);

    rows[50] = rows[50]!.replace('\tTrue\t', '\tUnknown\tKubelet stopped posting node status.');
    const r = run(verifyScript(big, 1), { nodes: rows });
    expect(r.code).toBe(1);
    expect(r.stdout.trim()).toBe(
      `${big.hosts[50]!.name} is not Ready (Kubelet stopped posting node status.)`,
    );
  });
});
