// The sabotage suite: each case plants one mistake (two, where both stop the install at the same
// place and the failure must name both) through a test-only transport wrapper between the real
// engine and the hosts, never the answers, on a fresh lab; the install must stop at the right host
// and step with a message that points at the cause. The repairs show the lab is not stricter
// than kubeadm, and that a join killed half way is repaired.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EngineEvent, FailureInfo } from '../../../src/steps/engine/events.js';
import { packageRoot } from '../../../src/package-root.js';
import { privilegedOrSkip } from '../../helpers/root.js';
import { labDown, labExec, labUp, wsArgv, type LabState } from '../lab.js';
import { ETCDCTL, workspace } from '../install.js';
import { LAB_PREFIX } from '../topology.js';
import { ALL_REPAIRS, CONTINUES, SABOTAGE } from './cases.js';

let runner = '';
let state: LabState | undefined;

function buildRunner(): string {
  if (runner) return runner;
  // A directory per lab: labs side by side (K8SHA_LAB_PREFIX) bundle the runner at the same time.
  const r = spawnSync(
    process.execPath,
    ['scripts/run-ts.mjs', '--build-only', `--out-dir=.bench/${LAB_PREFIX}`, 'test/lab/sabotage/runner.ts'],
    { cwd: packageRoot(), encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`cannot build the sabotage runner: ${r.stderr}`);
  runner = join(packageRoot(), r.stdout.trim());
  return runner;
}

/** A case that continues another runs in the first case's workspace (its state: the run goes on). */
function chainStart(name: string): string {
  let n = name;
  while (CONTINUES[n]) n = CONTINUES[n]!;
  return n;
}

function runCase(
  s: LabState,
  name: string,
): Promise<{ events: EngineEvent[]; code: number; stderr: string }> {
  const ws = workspace(s, chainStart(name));
  const [cmd, ...args] = wsArgv([
    process.execPath,
    buildRunner(),
    name,
    ws.answers,
    ws.stateDir,
    ws.kubeconfigDir,
  ]);
  return new Promise((resolve) => {
    const child = spawn(cmd!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('close', (code) => {
      const events = out
        .split('\n')
        .filter(Boolean)
        .flatMap((l) => {
          try {
            return [JSON.parse(l) as EngineEvent];
          } catch {
            return [];
          }
        });
      resolve({ events, code: code ?? -1, stderr: err });
    });
  });
}

function finalFailure(events: EngineEvent[]): FailureInfo | undefined {
  const end = events.find((e) => e.type === 'run-finished');
  return end?.type === 'run-finished' ? end.failure : undefined;
}

/** Every sabotage case on a fresh lab, then the repairs together on one more. */
export function sabotageSuite(): void {
  const enabled = privilegedOrSkip('sabotage suite');
  afterAll(async () => {
    if (!process.env.K8SHA_LAB_KEEP) await labDown(state?.dir);
  }, 120_000);
  describe.runIf(enabled)('sabotage: mistakes a real cluster refuses', () => {
    for (const name of Object.keys(SABOTAGE)) {
      const s = SABOTAGE[name]!;
      const after = CONTINUES[name];
      it(`${name}: ${s.what}${after ? ` (going on from ${after})` : ''}`, { timeout: 300_000 }, async () => {
        if (!after || !state) state = await labUp(SABOTAGE[chainStart(name)]!.lab);
        const r = await runCase(state, name);
        const f = finalFailure(r.events);
        expect(f, `${name} did not fail: ${r.stderr.slice(-500)}`).toBeDefined();
        const text = [f!.message, ...f!.stderrTail, f!.cause ?? '', f!.hint ?? ''].join('\n');
        process.stderr.write(
          `sabotage ${name}: stopped at ${f!.node}/${f!.step}: ${text.split('\n').slice(-3).join(' | ').slice(0, 300)}\n`,
        );
        expect({ node: f!.node, step: f!.step }).toEqual({ node: s.expect.node, step: s.expect.step });
        expect(text).toMatch(s.expect.says);
      });
    }
  });

  describe.runIf(enabled)('the lab is as strict as kubeadm, and no stricter', () => {
    // Both repairs in one install: they touch different nodes and steps.
    it(
      'repairs a join that died after adding its etcd member, and accepts certSANs without the VIP when the endpoint is the VIP',
      { timeout: 300_000 },
      async () => {
        // A half-joined member on master03, and master01's certificate: no worker needed.
        state = await labUp({ masters: 3, workers: 0 });
        const r = await runCase(state, ALL_REPAIRS);
        expect(finalFailure(r.events), r.stderr.slice(-500)).toBeUndefined();
        // The half-joined member (a learner that never started) is removed, and master03 joins.
        expect(
          r.events.some(
            (e) =>
              e.type === 'notice' &&
              /etcd still lists member \w+ for https:\/\/172\.16\.100\.160:2380 .*removing it/.test(
                e.message,
              ),
          ),
        ).toBe(true);
        const members = labExec(state, 'master01', `${ETCDCTL} member list`).stdout;
        expect(
          members
            .trim()
            .split('\n')
            .filter((l) => /, started, master0[123], .*, false$/.test(l)),
        ).toHaveLength(3);
        // kubeadm adds the endpoint's host to the apiserver certificate, so certSANs without it is fine.
        const sans = labExec(
          state,
          'master01',
          'openssl x509 -noout -ext subjectAltName -in /etc/kubernetes/pki/apiserver.crt',
        ).stdout;
        expect(sans).toMatch(/IP Address:172\.16\.100\.150/);
        expect(
          labExec(
            state,
            'master01',
            'grep -c "172.16.100.150$" /etc/kubernetes/kubeadm-config.yaml',
          ).stdout.trim(),
        ).toBe('0');
      },
    );
  });
}
