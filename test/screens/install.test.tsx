// The install screen driven by the real engine on scripted hosts: failures answered with Retry, Skip
// and Abort; Ctrl-C stops and a new start resumes; a 100-node grid stays within the terminal.
import { install } from '../../src/steps/index.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Answers } from '../../src/answers/schema.js';
import { Install } from '../../src/screens/Install.js';
import { InstallModel } from '../../src/screens/install-model.js';
import type { RunOutcome } from '../../src/steps/engine/engine.js';
import { hostsOf, seedPlain, valid } from '../helpers/answers.js';
import { KEY, mount, type Screen } from '../helpers/ink.js';
import { scriptedSession } from '../helpers/wizard.js';
import type { Fault, Script } from '../helpers/scripted-transport.js';
import { displayWidth } from '../helpers/terminal-width.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(answers: Answers, script: Omit<Script, 'answers'> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'k8sha-install-screen-'));
  dirs.push(dir);
  const session = scriptedSession(dir, script);
  let outcome: RunOutcome | undefined;
  const el = (
    <Install
      step="11/12"
      cluster={answers.cluster.name}
      columns={install.columns}
      start={(l, d) => session.install(answers, {}, l, d)}
      onDone={(o) => (outcome = o)}
    />
  );
  return { el, outcome: () => outcome, session };
}

const seed = () => valid(seedPlain());
// Generous: a loaded CI machine runs the rest of the scripted install slowly. On timeout the screen
// says where it stood.
const waitOutcome = async (get: () => RunOutcome | undefined, s: Screen, timeoutMs = 40_000) => {
  for (const start = Date.now(); !get(); await new Promise((r) => setTimeout(r, 20)))
    if (Date.now() - start > timeoutMs)
      throw new Error(`no outcome after ${timeoutMs} ms; last frame:\n${s.frame()}`);
  return get();
};

describe('the install screen', () => {
  it('shows the grid, and on a failure offers Retry, which then succeeds', async () => {
    const faults: Fault[] = [
      {
        host: 'worker01',
        match: /^kubeadm join/,
        times: 2,
        stderr: 'error execution phase preflight: connection refused',
      },
    ];
    const t = setup(seed(), { faults, latencyMs: 2 });
    const s = await mount(t.el);
    await s.waitFor(/failed on worker01/, 20_000);
    expect(s.frame()).toMatch(/NODE\s+prepare\s+runtime\s+packages\s+LB\s+init\/join\s+CNI\s+verify/);
    expect(s.frame()).toMatch(/kubeadm join --config \/etc\/kubernetes\/kubeadm-config\.yaml → exit 1/);
    expect(s.frame()).toMatch(/Retry[\s\S]*Skip this step[\s\S]*Abort[\s\S]*View the full log/);
    await s.press(KEY.enter); // Retry
    const o = await waitOutcome(t.outcome, s);
    expect(o?.status).toBe('completed');
    s.unmount();
  }, 60_000);

  it('skips a skippable step on request', async () => {
    const faults: Fault[] = [{ host: 'worker02', match: /^kubeadm join/, times: Infinity }];
    const t = setup(seed(), { faults, latencyMs: 2 });
    const s = await mount(t.el);
    await s.waitFor(/failed on worker02/, 20_000);
    await s.choose('Skip this step');
    const o = await waitOutcome(t.outcome, s);
    expect(o?.status).toBe('completed');
    expect(o?.recap.worker02?.skipped).toBe(1);
    s.unmount();
  }, 60_000);

  it('aborts on request; a step that must not be skipped offers no Skip; the full log can be read', async () => {
    const faults: Fault[] = [
      {
        host: 'master01',
        match: /^kubeadm init --config/,
        times: Infinity,
        stderr: '[ERROR Port-6443]: Port 6443 is in use',
      },
    ];
    const t = setup(seed(), { faults, latencyMs: 2 });
    const s = await mount(t.el);
    await s.waitFor(/failed on master01/, 20_000);
    expect(s.frame()).not.toMatch(/Skip this step/);
    await s.choose('View the full log');
    await s.waitFor(/Log of master01/);
    expect(s.frame()).toMatch(/kubeadm init --config/);
    await s.press(KEY.esc);
    await s.waitFor(/Abort \(resume later\)/);
    await s.choose('Abort (resume later)');
    const o = await waitOutcome(t.outcome, s);
    expect(o?.status).toBe('aborted');
    s.unmount();
  }, 60_000);

  it('stops on Ctrl-C (the journal keeps the progress) and a new start resumes', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const state = new Map<string, Set<string>>();
    const t = setup(seed(), {
      state,
      faults: [{ host: 'worker01', match: /^kubeadm join/, times: 1, gate, stderr: 'interrupted' }],
      latencyMs: 1,
    });
    let handle: { stop(): void } | undefined;
    const s = await mount(
      <Install
        step="11/12"
        cluster="seed-cluster"
        columns={install.columns}
        start={(l, d) => {
          const h = t.session.install(seed(), {}, l, d);
          handle = h;
          return h;
        }}
        onDone={() => undefined}
      />,
    );
    await s.waitFor(/kubeadm join \(worker\) on worker01|init\/join/, 20_000);
    for (let i = 0; i < 200 && !state.get('master03')?.has('join'); i++)
      await new Promise((r) => setTimeout(r, 20));
    handle!.stop(); // what the App does on Ctrl-C
    release();
    await new Promise((r) => setTimeout(r, 300));
    s.unmount();
    const unfinished = t.session.unfinished('seed-cluster');
    expect(unfinished?.progress).toMatch(/steps done/);
    const resumed = scriptedSession(dirs[0]!, { state });
    const model = new InstallModel();
    const o = await resumed.install(
      seed(),
      {},
      (e) => model.apply(e),
      async () => 'abort',
    ).done;
    expect(o.status).toBe('completed');
    expect(model.resumed).toBe(true);
  }, 60_000);

  it('keeps long and wide log lines and a long failure inside the terminal: cut, never wrapped', async () => {
    // CJK characters take two columns each; a line of them must be cut at half the characters.
    const wide = `失败：${'无法连接到 API 服务器 '.repeat(20)}`;
    const long = `E1201 ${'x'.repeat(300)}`;
    const faults: Fault[] = [
      {
        host: 'worker01',
        match: /^kubeadm join/,
        times: Infinity,
        stderr: [wide, long, `${long} ${wide}`].join('\n'),
      },
    ];
    // kubeadm indents its join command with a tab: one character, up to eight columns on a terminal.
    const tabbed = `\t--discovery-token-ca-cert-hash sha256:${'ab'.repeat(46)}`;
    const t = setup(seed(), {
      faults,
      latencyMs: 2,
      outputs: [{ match: /^(dnf|apt-get) install/, stdout: [wide, long, tabbed].join('\n') }],
    });
    const s = await mount(t.el);
    const fits = (what: string) => {
      // The whole frame: the title on its first line (notices sit under the grid, not above the title).
      const lines = s.frame().split('\n');
      expect(lines[0], `${what}: the title is not the first line\n${s.frame()}`).toMatch(/^k8sha-wizard · /);
      // ink-testing-library's terminal: 100 columns, 24 rows.
      expect(lines.length, `${what}: taller than the terminal\n${s.frame()}`).toBeLessThanOrEqual(24);
      for (const l of lines)
        expect(displayWidth(l), `${what}: a line wider than the terminal: ${l}`).toBeLessThanOrEqual(100);
    };
    await s.waitFor(/log of master01/, 20_000);
    await s.waitFor(/E1201 x+…|失败/, 20_000);
    fits('the log tail');
    await s.waitFor(/failed on worker01/, 20_000);
    expect(s.frame()).toMatch(/E1201 x+…/);
    expect(s.frame()).toMatch(/失败：无法连接到 API 服务器[^\n]*…/);
    fits('the failure box');
    await s.choose('Abort (resume later)');
    await waitOutcome(t.outcome, s);
    s.unmount();
  }, 60_000);

  it('keeps a 100-node grid within the terminal', async () => {
    const big = valid({
      ...seedPlain(),
      hosts: hostsOf(3, 97, '10.1.').map((h, i) => ({
        ...h,
        address: `10.1.${Math.floor(i / 200)}.${(i % 200) + 10}`,
      })),
      loadBalancer: { vip: '10.1.0.5/24' },
      network: { podCIDR: '172.16.0.0/12', serviceCIDR: '10.96.0.0/12' },
    });
    const t = setup(big, { latencyMs: 1 });
    const s = await mount(t.el);
    await s.waitFor(/more node\(s\)/, 20_000);
    const lines = s.frame().split('\n');
    expect(lines.length).toBeLessThanOrEqual(24);
    await waitOutcome(t.outcome, s);
    s.unmount();
  }, 120_000);
});
