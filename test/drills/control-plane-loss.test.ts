// Losing a control plane after the install: master01 stops entirely (every process in its
// namespaces). The VIP moves, the API keeps answering through it, kubectl get nodes still works.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { useLab } from '../lab/fixture.js';
import { apply, kubectlNodes, workspace } from '../lab/install.js';
import { hostState, labWs, vipHolder } from '../lab/lab.js';
import { nsName, switchPort, SWITCH_NS } from '../lab/topology.js';

const { enabled, lab } = useLab('control-plane loss drill');

describe.runIf(enabled)('losing a control plane', () => {
  it('keeps the API answering through the VIP when master01 dies', { timeout: 240_000 }, async () => {
    const s = lab.state;
    const ws = workspace(s, 'loss');
    const r = await apply(ws);
    expect(r.code, r.stdout.slice(-1500)).toBe(0);
    // master01 has the highest priority and holds the VIP once it is healthy; then kill everything on it.
    for (let i = 0; i < 150 && vipHolder(s) !== 'master01'; i++)
      await new Promise((res) => setTimeout(res, 100));
    expect(vipHolder(s)).toBe('master01');
    const pids = spawnSync('ip', ['netns', 'pids', nsName('master01')], { encoding: 'utf8' })
      .stdout.split(/\s+/)
      .filter(Boolean)
      .map(Number);
    expect(pids.length).toBeGreaterThan(3);
    const t0 = Date.now();
    for (const p of pids) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // already gone with the namespace's PID 1
      }
    }
    // A dead machine also leaves the network (its addresses, the VIP among them, go with it).
    expect(
      spawnSync('ip', ['-n', SWITCH_NS, 'link', 'set', switchPort(hostState(s, 'master01').index), 'down'])
        .status,
    ).toBe(0);
    let movedMs = -1;
    let answeringMs = -1;
    while (Date.now() - t0 < 30_000 && (movedMs < 0 || answeringMs < 0)) {
      const holder = ['master02', 'master03'].find((h) =>
        spawnSync('ip', ['-n', nsName(h), '-4', '-o', 'addr', 'show', 'dev', 'eth0'], {
          encoding: 'utf8',
        }).stdout.includes(' 172.16.100.150/'),
      );
      if (movedMs < 0 && holder) movedMs = Date.now() - t0;
      if (
        movedMs >= 0 &&
        answeringMs < 0 &&
        labWs(['curl', '-sfk', '--max-time', '2', 'https://172.16.100.150:8443/readyz']).stdout === 'ok'
      )
        answeringMs = Date.now() - t0;
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(movedMs, 'the VIP moved').toBeGreaterThan(0);
    expect(answeringMs, 'the API answered through the VIP with etcd quorum').toBeGreaterThan(0);
    // Recovered: ten requests in a row through the VIP all succeed (haproxy has marked master01 down).
    let streak = 0;
    let recoveredMs = -1;
    while (Date.now() - t0 < 60_000 && recoveredMs < 0) {
      streak =
        labWs(['curl', '-sfk', '--max-time', '3', 'https://172.16.100.150:8443/healthz']).stdout === 'ok'
          ? streak + 1
          : 0;
      if (streak >= 10) recoveredMs = Date.now() - t0;
    }
    expect(recoveredMs, 'ten requests in a row through the VIP within a minute').toBeGreaterThan(0);
    const nodes = kubectlNodes(s, ws);
    expect(nodes.map((n) => n.name)).toContain('master01');
    expect(nodes).toHaveLength(5);
    process.stderr.write(
      `control plane lost: VIP moved after ${movedMs} ms, API answered through it after ${answeringMs} ms, fully recovered (10 requests in a row) after ${recoveredMs} ms\n`,
    );
  });
});
