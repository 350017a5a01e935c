// The step contract: what the engine once decided by step id is now a field of the step (serial,
// enabled, reset), an operation is a list of stages over the one engine, and a dry run is a
// recording transport — the plan is what it recorded, and no step knows.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Answers } from '../../src/answers/schema.js';
import { planCommand } from '../../src/cli/plan.js';
import { createEngine } from '../../src/steps/engine/create.js';
import { Engine } from '../../src/steps/engine/engine.js';
import type { EngineEvent } from '../../src/steps/engine/events.js';
import type { Operation } from '../../src/steps/engine/operation.js';
import { CommandFailed, StepError } from '../../src/steps/engine/failure.js';
import type { Step } from '../../src/steps/engine/step.js';
import { install } from '../../src/steps/index.js';
import { assetPath } from '../../src/package-root.js';
import { catalog, seedPlain, valid } from '../helpers/answers.js';
import { scriptedFactory } from '../helpers/scripted-transport.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'k8sha-contract-'));
  dirs.push(d);
  return d;
}

const seed = () => valid(seedPlain());

/** A node step that counts how many nodes run it at once, and how often it was reset. */
function probeStep(id: string, extra: Partial<Step> = {}) {
  let now = 0;
  const seen = { maxParallel: 0, resets: 0, applies: 0 };
  const step: Step = {
    id,
    title: id,
    phase: 'test',
    scope: 'node',
    appliesTo: (h) => h.role === 'control-plane',
    retry: { tries: 1, delayMs: 0 },
    skippable: false,
    check: async () => false,
    async apply() {
      seen.applies++;
      now++;
      seen.maxParallel = Math.max(seen.maxParallel, now);
      await new Promise((r) => setTimeout(r, 30));
      now--;
    },
    ...extra,
  };
  return { step, seen };
}

function operation(...steps: Step[]): Operation {
  return {
    id: 'test-op',
    title: 'Test',
    columns: [{ id: 'all', label: 'all', phases: ['facts', 'test'] }],
    stages: steps.map((step) => ({ kind: 'step' as const, step })),
    changes: true,
  };
}

async function run(op: Operation, answers: Answers = seed(), more: Record<string, unknown> = {}) {
  const root = tmp();
  const events: EngineEvent[] = [];
  const engine = new Engine({
    operation: op,
    answers,
    catalog,
    transport: scriptedFactory({ answers }).factory,
    stateRoot: join(root, 'state'),
    kubeconfigDir: join(root, 'kube'),
    retryDelayScale: 0.001,
    ...more,
  }).on((e) => events.push(e));
  return { out: await engine.run(), events, root };
}

describe('the step contract', () => {
  it('runs a serial step one node at a time, and any other step on its nodes in parallel', async () => {
    const serial = probeStep('serial', { serial: true });
    const parallel = probeStep('parallel');
    const { out } = await run(operation(serial.step, parallel.step));
    expect(out.status).toBe('completed');
    expect(serial.seen).toMatchObject({ applies: 3, maxParallel: 1 });
    expect(parallel.seen.applies).toBe(3);
    expect(parallel.seen.maxParallel).toBeGreaterThan(1);
  });

  it("asks a serial step's check on every node at once, then changes only the nodes that need it, one at a time", async () => {
    let checking = 0;
    let maxChecking = 0;
    const checks: string[] = [];
    const serial = probeStep('serial', {
      serial: true,
      async check(ctx) {
        checks.push(ctx.node.name);
        checking++;
        maxChecking = Math.max(maxChecking, checking);
        await new Promise((r) => setTimeout(r, 30));
        checking--;
        return ctx.node.name === 'master02'; // only master02 is already done
      },
    });
    const { out, events } = await run(operation(serial.step));
    expect(out.status).toBe('completed');
    expect(maxChecking).toBe(3);
    expect(serial.seen).toMatchObject({ applies: 2, maxParallel: 1 });
    // master01 and master03 are checked again just before their change; master02 only once.
    expect(checks.filter((n) => n === 'master02')).toHaveLength(1);
    expect(checks.filter((n) => n === 'master01')).toHaveLength(2);
    // Each node finishes the step once; the probe's apply changes nothing it reports.
    const finished = events.flatMap((e) =>
      e.type === 'step-finished' && e.step === 'serial' ? [`${e.node}:${e.status}`] : [],
    );
    expect(finished.sort()).toEqual(['master01:unchanged', 'master02:unchanged', 'master03:unchanged']);
  });

  it('ends an unattended run as failed, not aborted, when a node fails in a stage of nodes side by side', async () => {
    const failing = probeStep('failing', {
      appliesTo: () => true,
      async apply(ctx) {
        if (ctx.node.name === 'worker01') throw new StepError('worker01 will not', undefined, false);
      },
    });
    const op = operation();
    op.stages = [{ kind: 'each', steps: [failing.step], concurrency: 1 }];
    const { out } = await run(op);
    expect(out.status).toBe('failed');
    expect(out.failure).toMatchObject({ node: 'worker01', step: 'failing' });
  });

  it('leaves a step out of the run, the grid and the plan unless it is enabled', async () => {
    const drill = probeStep('drill', { enabled: (c) => c.failoverDrill });
    const off = await run(operation(drill.step));
    const started = off.events.find((e) => e.type === 'run-started');
    expect(started?.type === 'run-started' && started.steps.map((s) => s.id)).toEqual([
      'gather-facts',
      'preflight',
      'lock',
    ]);
    expect(drill.seen.applies).toBe(0);
    const on = await run(operation(drill.step), seed(), { choices: { failoverDrill: true } });
    expect(on.out.status).toBe('completed');
    expect(drill.seen.applies).toBe(3);
    // The install's own drill follows the same rule.
    expect(Engine.layout(install, seed()).map((l) => l.step.id)).not.toContain('failover-drill');
    expect(Engine.layout(install, seed(), { failoverDrill: true }).map((l) => l.step.id)).toContain(
      'failover-drill',
    );
  });

  it('runs the step reset before every retry (never before the first attempt), and only when the check says not done', async () => {
    let fails = 2;
    const flaky = probeStep('flaky', {
      appliesTo: (h) => h.name === 'master01',
      retry: { tries: 3, delayMs: 1 },
      async reset() {
        flaky.seen.resets++;
      },
      async apply() {
        flaky.seen.applies++;
        if (fails-- > 0) throw new Error('flaky');
      },
    });
    const { out, events } = await run(operation(flaky.step));
    expect(out.status).toBe('completed');
    expect(flaky.seen).toMatchObject({ applies: 3, resets: 2 });
    expect(events.filter((e) => e.type === 'step-retrying')).toHaveLength(2);

    let checks = 0;
    const doneOnRetry = probeStep('done-on-retry', {
      appliesTo: (h) => h.name === 'master01',
      retry: { tries: 2, delayMs: 1 },
      check: async () => checks++ > 0,
      async reset() {
        doneOnRetry.seen.resets++;
      },
      async apply() {
        throw new Error('first attempt fails, but the work got done');
      },
    });
    expect((await run(operation(doneOnRetry.step))).out.status).toBe('completed');
    expect(doneOnRetry.seen.resets).toBe(0);
  });

  it('does not retry by itself what fails the same way every time: a known deterministic cause, or a step that says so', async () => {
    const failing = (id: string, error: () => Error) => {
      const p = probeStep(id, {
        appliesTo: (h) => h.name === 'master01',
        retry: { tries: 3, delayMs: 1 },
        async apply() {
          p.seen.applies++;
          throw error();
        },
      });
      return p;
    };
    const swap = failing(
      'swap',
      () => new CommandFailed('kubeadm join', 1, ['[ERROR Swap]: running with swap on is not supported']),
    );
    const waited = failing('waited', () => new StepError('waited 60 s for quorum', 'check etcd', false));
    const transient = failing('transient', () => new StepError('the VIP does not answer yet'));
    for (const [p, applies] of [
      [swap, 1],
      [waited, 1],
      [transient, 3],
    ] as const) {
      const { out, events } = await run(operation(p.step));
      expect(out.status).toBe('failed');
      expect(p.seen.applies, p.step.id).toBe(applies);
      expect(events.filter((e) => e.type === 'step-retrying')).toHaveLength(applies - 1);
    }
  });

  it('opens every operation the same way: facts from every node, preflight, then a lock per host', async () => {
    const { events } = await run(operation());
    const order = events
      .filter((e) => e.type === 'step-finished')
      .map((e) => e.type === 'step-finished' && e.step);
    expect(order.slice(0, 5)).toEqual(Array(5).fill('gather-facts'));
    expect(order[5]).toBe('preflight');
    expect(order.slice(6)).toEqual(Array(5).fill('lock'));
  });
});

describe('a dry run', () => {
  it('is a recording transport: nothing runs, nothing persists, and the actions name their step and node', async () => {
    const root = tmp();
    const answers = seed();
    const scripted = scriptedFactory({ answers });
    const { engine, recorded } = await createEngine({
      operation: install,
      answers,
      catalog,
      transport: scripted.factory,
      record: {},
      stateRoot: join(root, 'state'),
      kubeconfigDir: join(root, 'kube'),
    });
    const out = await engine.run();
    expect(out.status).toBe('completed');
    // The real hosts were only read: no change reached them.
    for (const t of scripted.all.values()) {
      expect(t.uploads).toEqual([]);
      expect(
        t.commands.filter((c) =>
          /^(kubeadm (init|join|reset)|systemctl (start|restart|enable)|dnf|apt-get)/.test(c),
        ),
      ).toEqual([]);
    }
    expect(existsSync(join(root, 'state'))).toBe(false);
    expect(existsSync(join(root, 'kube'))).toBe(false);
    const actions = recorded();
    expect(actions.find((x) => x.command?.startsWith('kubeadm init'))).toMatchObject({
      host: 'master01',
      step: 'kubeadm-init',
    });
    const joins = actions.filter(
      (x) => x.step === 'join-control-plane' && x.command?.startsWith('kubeadm join'),
    );
    expect(joins.map((x) => x.node)).toEqual(['master02', 'master03']);
    expect(
      actions.filter((x) => x.kind === 'upload' && x.text === '/etc/haproxy/haproxy.cfg').map((x) => x.host),
    ).toEqual(expect.arrayContaining(['master01', 'master02', 'master03']));
  });

  it('plan prints what the transport recorded, per host and step, and writes no state', async () => {
    const root = tmp();
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    let text = '';
    try {
      const code = await planCommand({
        answers: assetPath('examples/seed-cluster.yaml'),
        offline: true,
        stateDir: join(root, 'state'),
        format: 'json',
      });
      expect(code).toBe(0);
      text = out.mock.calls.map((c) => String(c[0])).join('');
    } finally {
      out.mockRestore();
    }
    const plan = JSON.parse(text) as Record<string, { step: string; lines: string[] }[]>;
    expect(Object.keys(plan).sort()).toEqual(['master01', 'master02', 'master03', 'worker01', 'worker02']);
    const stepsOf = (h: string) => plan[h]!.map((s) => s.step);
    expect(stepsOf('master01')).toEqual(
      expect.arrayContaining(['prepare-system', 'load-balancer', 'kubeadm-init']),
    );
    expect(stepsOf('worker01')).not.toContain('load-balancer');
    expect(plan.master01!.find((s) => s.step === 'load-balancer')!.lines).toContain(
      'write /etc/haproxy/haproxy.cfg (mode 644)',
    );
    expect(stepsOf('master01')).not.toContain('failover-drill');
    expect(existsSync(join(root, 'state'))).toBe(false);
  });

  it('no step file mentions dry runs: only the recording transport and the engine factory do', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const f of readdirSync(dir)) {
        const p = join(dir, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (/dry.?run/i.test(readFileSync(p, 'utf8'))) offenders.push(p);
      }
    };
    walk('src/steps');
    expect(offenders.sort()).toEqual([
      'src/steps/engine/create.ts',
      'src/steps/transport/dry-run.ts',
      'src/steps/transport/types.ts',
    ]);
  });
});
