// The engine on a scripted transport: events, retries, unattended failure details, interactive
// retry/skip/abort, preflight, the journal, resume refusal when answers change, and redaction.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Answers } from '../../src/answers/schema.js';
import { InputError } from '../../src/errors.js';
import { Engine, type EngineOptions } from '../../src/steps/engine/engine.js';
import { install } from '../../src/steps/index.js';
import type { EngineEvent, FailureInfo } from '../../src/steps/engine/events.js';
import { firstExpiry } from '../../src/steps/cert-renewal.js';
import { pauseFromImageList } from '../../src/steps/pause-image.js';
import { readJournal } from '../../src/state/journal.js';
import { catalog, seedPlain, seedWith, valid } from '../helpers/answers.js';
import { scriptedFactory, type Fault, type Script } from '../helpers/scripted-transport.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function engineFor(answers: Answers, script: Partial<Script> = {}, extra: Partial<EngineOptions> = {}) {
  const root = mkdtempSync(join(tmpdir(), 'k8sha-engine-'));
  dirs.push(root);
  const s = scriptedFactory({ answers, ...script });
  const events: EngineEvent[] = [];
  const engine = new Engine({
    operation: install,
    answers,
    catalog,
    transport: s.factory,
    stateRoot: join(root, 'state'),
    kubeconfigDir: join(root, 'kube'),
    retryDelayScale: 0.001,
    ...extra,
  }).on((e) => events.push(e));
  return { engine, events, transports: s.all, root };
}

const seed = () => valid(seedPlain());

describe('the engine', () => {
  it('runs every step on every node it applies to and ends with a recap', async () => {
    const { engine, events } = engineFor(seed());
    const out = await engine.run();
    expect(out.status).toBe('completed');
    const started = events.find((e) => e.type === 'run-started');
    expect(started && started.type === 'run-started' && started.steps.map((s) => s.id)).toEqual([
      'gather-facts',
      'preflight',
      'lock',
      'prepare-system',
      'container-runtime',
      'kubernetes-packages',
      'load-balancer',
      'vip-ready',
      'kubeadm-init',
      'join-credentials',
      'join-control-plane',
      'load-balancer-update',
      'load-balancer-consistent',
      'join-worker',
      'scrub-join-secrets',
      'cni',
      'dashboard',
      'cert-renewal',
      'verify',
      'fetch-kubeconfig',
    ]);
    const finished = events.filter((e) => e.type === 'step-finished');
    expect(
      finished
        .filter((e) => e.type === 'step-finished' && e.step === 'load-balancer')
        .map((e) => e.node)
        .sort(),
    ).toEqual(['master01', 'master02', 'master03']);
    expect(out.recap.worker01).toMatchObject({ failed: 0, unreachable: 0 });
    expect(out.recap.master01!.ok).toBeGreaterThan(8);
    // Control planes join one at a time, in order; the first one is where init ran, already a member.
    const joins = events
      .filter((e) => e.type === 'step-finished' && e.step === 'join-control-plane')
      .map((e) => e.type === 'step-finished' && `${e.node}:${e.status}`);
    expect(joins).toEqual(['master01:unchanged', 'master02:changed', 'master03:changed']);
  });

  it('retries a failing command per the step policy and then succeeds', async () => {
    const faults: Fault[] = [
      {
        host: 'worker01',
        match: /^dnf install -y containerd\.io/,
        times: 1,
        stderr: 'Curl error (28): Timeout',
      },
    ];
    const { engine, events } = engineFor(seed(), { faults });
    const out = await engine.run();
    expect(out.status).toBe('completed');
    expect(
      events.some(
        (e) => e.type === 'step-retrying' && e.node === 'worker01' && e.step === 'container-runtime',
      ),
    ).toBe(true);
  }, 30_000);

  it('stops an unattended run with the node, step, command, exit code, last stderr lines and log path', async () => {
    const faults: Fault[] = [
      {
        host: 'worker02',
        match: /^kubeadm join/,
        times: Infinity,
        code: 1,
        stderr:
          'error execution phase preflight: token id "abcdef" is invalid for this cluster or it has expired',
      },
    ];
    const { engine } = engineFor(seed(), { faults });
    const out = await engine.run();
    expect(out.status).toBe('failed');
    const f = out.failure!;
    expect(f).toMatchObject({
      node: 'worker02',
      step: 'join-worker',
      exitCode: 1,
      command: 'kubeadm join --config /etc/kubernetes/kubeadm-config.yaml',
    });
    expect(f.stderrTail.join('\n')).toMatch(/invalid for this cluster or it has expired/);
    expect(f.logPath).toMatch(/worker02\.log$/);
    expect(readFileSync(f.logPath, 'utf8')).toMatch(/kubeadm join --config/);
    expect(out.recap.worker02!.failed).toBe(1);
  }, 60_000);

  it('asks what to do after the retries: skip a skippable step and go on', async () => {
    const faults: Fault[] = [{ host: 'worker02', match: /^kubeadm join/, times: Infinity }];
    const asked: FailureInfo[] = [];
    const { engine, events } = engineFor(
      seed(),
      { faults },
      { decide: async (f) => (asked.push(f), 'skip') },
    );
    const out = await engine.run();
    expect(asked.map((f) => `${f.node}/${f.step}`)).toEqual(['worker02/join-worker']);
    expect(out.status).toBe('completed');
    expect(out.recap.worker02!.skipped).toBe(1);
    expect(
      events.some((e) => e.type === 'step-finished' && e.node === 'worker02' && e.status === 'skipped'),
    ).toBe(true);
  }, 60_000);

  it('retries on request, and aborts on request; skip is refused for a step that must not be skipped', async () => {
    let n = 0;
    const faults: Fault[] = [{ host: 'master01', match: /^kubeadm init/, times: 3 }];
    const { engine } = engineFor(seed(), { faults }, { decide: async () => (++n === 1 ? 'retry' : 'skip') });
    const out = await engine.run();
    expect(out.status).toBe('aborted');
    expect(n).toBe(2);
  }, 60_000);

  it('fails preflight on an unreachable host and changes nothing', async () => {
    const { engine, transports } = engineFor(seed(), { unreachableHosts: ['worker02'] });
    const out = await engine.run();
    expect(out.status).toBe('failed');
    expect(out.preflight).toEqual([
      { node: 'worker02', message: expect.stringMatching(/unreachable: cannot connect/) },
    ]);
    for (const [name, t] of transports) {
      expect(t.uploads, name).toEqual([]);
      // Only read-only probes ran: the facts, and the VIP check on the first control plane.
      expect(
        t.commands.filter((c) => !c.includes('os_id=') && !c.includes('ip -4 neigh show')),
        name,
      ).toEqual([]);
    }
    expect(out.recap.worker02!.unreachable).toBe(1);
  });

  it('writes the journal atomically with every step, and the secrets 0600', async () => {
    const { engine, root } = engineFor(seed());
    await engine.run();
    const dir = join(root, 'state', 'clusters', 'seed-cluster');
    const j = readJournal(dir)!;
    expect(j.status).toBe('completed');
    expect(j.steps['master01|kubeadm-init']).toMatchObject({ state: 'done' });
    expect(j.marks.initCompletedAt).toBeDefined();
    expect(statSync(join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('refuses to resume an unfinished run when the answers changed, and names what changed', async () => {
    const faults: Fault[] = [{ host: 'master01', match: /^kubeadm init/, times: Infinity }];
    const first = engineFor(seed(), { faults });
    await first.engine.run();
    const changed = valid(
      seedWith((s) => ((s.network as Record<string, unknown>).podCIDR = '172.31.0.0/16')),
    );
    const again = new Engine({
      operation: install,
      answers: changed,
      catalog,
      transport: scriptedFactory({ answers: changed }).factory,
      stateRoot: join(first.root, 'state'),
      kubeconfigDir: join(first.root, 'kube'),
    });
    const err = await again.run().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).problems).toEqual([
      expect.objectContaining({
        path: 'network.podCIDR',
        message: expect.stringMatching(/172\.30\.0\.0\/16.*172\.31\.0\.0\/16/),
      }),
    ]);
    expect((err as InputError).hint).toMatch(/--restart/);
    const restarted = new Engine({
      operation: install,
      answers: changed,
      catalog,
      transport: scriptedFactory({ answers: changed }).factory,
      stateRoot: join(first.root, 'state'),
      kubeconfigDir: join(first.root, 'kube'),
      restart: true,
    });
    expect((await restarted.run()).status).toBe('completed');
  }, 60_000);

  it('says when kubeadm expects another pause image than the catalog gave containerd', async () => {
    const notices = (events: EngineEvent[]) =>
      events.flatMap((e) => (e.type === 'notice' && /sandbox image/.test(e.message) ? [e.message] : []));
    const list = (tag: string) =>
      [
        'registry.k8s.io/kube-apiserver:v1.36.4',
        'registry.k8s.io/coredns/coredns:v1.13.1',
        `registry.k8s.io/pause:${tag}`,
        'registry.k8s.io/etcd:3.6.6-0',
      ].join('\n');
    const stale = engineFor(seed(), {
      outputs: [{ match: /^kubeadm config images list/, stdout: list('3.11') }],
    });
    expect((await stale.engine.run()).status).toBe('completed');
    const said = notices(stale.events);
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(
      /kubeadm 1\.36\.\d+ expects pause:3\.11, but containerd's sandbox image is pause:3\.10\.1/,
    );
    expect(said[0]).toMatch(/set pauseImage: pause:3\.11 for 1\.36 in the catalog/);
    // Only the first control plane asks, once.
    const asked = [...stale.transports.values()].flatMap((t) =>
      t.commands.filter((c) => /images list/.test(c)),
    );
    expect(asked).toHaveLength(1);

    const same = engineFor(seed(), {
      outputs: [{ match: /^kubeadm config images list/, stdout: list('3.10.1') }],
    });
    expect((await same.engine.run()).status).toBe('completed');
    expect(notices(same.events)).toEqual([]);
    expect(pauseFromImageList('registry.aliyuncs.com/google_containers/pause:3.10\n')).toBe('pause:3.10');
    expect(pauseFromImageList('registry.k8s.io/etcd:3.6.6-0')).toBeUndefined();
  });

  it('installs the renewal timer on each control plane and says when the certificates expire', async () => {
    const table = [
      '[check-expiration] Reading configuration from the "kubeadm-config" ConfigMap in namespace "kube-system"...',
      '',
      'CERTIFICATE                EXPIRES                  RESIDUAL TIME   CERTIFICATE AUTHORITY   EXTERNALLY MANAGED',
      'admin.conf                 Nov 27, 2027 08:10 UTC   364d            ca                      no',
      'apiserver                  Nov 26, 2027 08:00 UTC   363d            ca                      no',
      '',
      'CERTIFICATE AUTHORITY   EXPIRES                  RESIDUAL TIME   EXTERNALLY MANAGED',
      'ca                      Nov 01, 2027 08:00 UTC   9y              no',
    ].join('\n');
    expect(firstExpiry(table)).toEqual({ name: 'apiserver', at: new Date('2027-11-26T08:00:00Z') });
    expect(firstExpiry('error: no such file')).toBeUndefined();

    const { engine, events, transports } = engineFor(seed(), {
      outputs: [{ match: /^kubeadm certs check-expiration/, stdout: table }],
    });
    expect((await engine.run()).status).toBe('completed');
    const said = events.flatMap((e) =>
      // The node is the event's; the message does not repeat it (the grid prints "node: message").
      e.type === 'notice' && /certificates expire/.test(e.message) ? [`${e.node}: ${e.message}`] : [],
    );
    expect(said.sort()).toEqual(
      ['master01', 'master02', 'master03'].map((n) =>
        expect.stringMatching(
          new RegExp(
            `^${n}: certificates expire from 2027-11-26 \\(apiserver, in \\d+ days\\); k8s-certs-renew\\.timer`,
          ),
        ),
      ),
    );
    for (const [name, t] of transports) {
      const enabled = t.commands.includes('systemctl enable --now k8s-certs-renew.timer');
      expect(enabled, name).toBe(name.startsWith('master'));
    }
    // A rerun after a failed timed renewal says so, on that node only, and changes nothing.
    const failed = engineFor(seed(), {
      faults: [
        {
          host: 'master02',
          match: /^systemctl is-failed --quiet k8s-certs-renew\.service/,
          times: Infinity,
          code: 0,
        },
      ],
    });
    expect((await failed.engine.run()).status).toBe('completed');
    const warned = failed.events.flatMap((e) =>
      e.type === 'notice' && /last certificate renewal failed/.test(e.message)
        ? [`${e.node}: ${e.message}`]
        : [],
    );
    expect(warned).toEqual([
      expect.stringMatching(
        /^master02: the last certificate renewal failed\. Read journalctl -u k8s-certs-renew\.service/,
      ),
    ]);

    const none = engineFor(valid(seedWith((s) => (s.system = { certRenewal: 'none' }))));
    expect((await none.engine.run()).status).toBe('completed');
    expect([...none.transports.values()].some((t) => t.commands.some((c) => /k8s-certs-renew/.test(c)))).toBe(
      false,
    );
  });

  it('redacts every secret from logs and events', async () => {
    const { engine, events, root } = engineFor(seed());
    await engine.run();
    const secrets = JSON.parse(
      readFileSync(join(root, 'state', 'clusters', 'seed-cluster', 'secrets.json'), 'utf8'),
    ) as Record<string, string>;
    const logs = readdirSync(join(root, 'state', 'clusters', 'seed-cluster', 'logs'), {
      recursive: true,
      withFileTypes: true,
    })
      .filter((e) => e.isFile())
      .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'))
      .join('\n');
    const everything = logs + JSON.stringify(events);
    for (const key of ['bootstrapToken', 'certificateKey', 'vrrpPassword', 'haproxyStatsPassword'])
      expect(everything.includes(secrets[key]!), key).toBe(false);
  });
});
