// What the engine leaves behind: no CA key on the operator machine after init, no join secrets in
// the nodes' kubeadm-config.yaml after the joins, no terminal escape sequences from hosts in events,
// short secrets redacted too, and a plan that stops half way exits 1 naming the step.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { KUBEADM_CONFIG_PATH } from '../../src/render/kubeadm.js';
import { Engine } from '../../src/steps/engine/engine.js';
import { install } from '../../src/steps/index.js';
import type { EngineEvent } from '../../src/steps/engine/events.js';
import { REMOVED_SECRET } from '../../src/steps/scrub-join-secrets.js';
import { Redactor } from '../../src/state/redact.js';
import { clusterStateDir } from '../../src/state/paths.js';
import { planCommand } from '../../src/cli/plan.js';
import { catalog, seedPlain, valid } from '../helpers/answers.js';
import { scriptedFactory } from '../helpers/scripted-transport.js';
import { assetPath } from '../../src/package-root.js';

const dir = mkdtempSync(join(tmpdir(), 'k8sha-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('secrets after an install', () => {
  it('drops the CA key from secrets.json after init, and scrubs the join secrets on every node', async () => {
    const answers = valid(seedPlain());
    const s = scriptedFactory({
      answers,
      // A host that prints terminal escape sequences (window title, clear screen) in its output.
      outputs: [{ match: /^kubeadm init --config/, stdout: 'initialized\u001b]0;owned\u0007\u001b[2J\n' }],
    });
    const events: EngineEvent[] = [];
    const root = join(dir, 'state');
    const out = await new Engine({
      operation: install,
      answers,
      catalog,
      transport: s.factory,
      stateRoot: root,
      kubeconfigDir: join(dir, 'kube'),
      retryDelayScale: 0.001,
    })
      .on((e) => events.push(e))
      .run();
    expect(out.status).toBe('completed');

    const secrets = JSON.parse(
      readFileSync(join(clusterStateDir('seed-cluster', root), 'secrets.json'), 'utf8'),
    );
    expect(secrets.caKeyPem).toBeUndefined();
    expect(secrets.caCertPem).toMatch(/BEGIN CERTIFICATE/);
    expect(secrets.caCertHash).toMatch(/^sha256:/);
    expect(events.some((e) => e.type === 'notice' && /CA private key was removed/.test(e.message))).toBe(
      true,
    );

    for (const h of answers.hosts) {
      const uploads = s.all.get(h.name)!.uploads.filter((u) => u.path === KUBEADM_CONFIG_PATH);
      const last = uploads.at(-1)!.content;
      expect(last, `${h.name}: the last kubeadm-config.yaml holds no token`).not.toContain(
        secrets.bootstrapToken,
      );
      expect(last).not.toContain(secrets.certificateKey);
      expect(last).toContain(REMOVED_SECRET);
    }
    const init = events.filter(
      (e) => e.type === 'output-line' && e.step === 'kubeadm-init' && e.stream === 'stdout',
    );
    expect(init.map((e) => e.type === 'output-line' && e.line)).toEqual(['initialized']);
    const text = JSON.stringify(events);
    expect(text.includes('\u001b') || text.includes('\\u001b') || text.includes('\\u0007')).toBe(false);
  });

  it('redacts secrets shorter than six characters', () => {
    const r = new Redactor();
    r.add('pw42');
    expect(r.redact('sudo password pw42 was sent')).toBe('sudo password <redacted> was sent');
  });
});

describe('plan', () => {
  it('exits 1 naming the step when its dry run fails', async () => {
    const failing = {
      id: 'explode',
      title: 'A step that fails in the dry run',
      phase: 'verify' as const,
      scope: 'cluster' as const,
      appliesTo: () => true,
      runsOn: (a: { hosts: { name: string }[] }) => a.hosts[0],
      retry: { tries: 1, delayMs: 0 },
      skippable: false,
      check: async () => false,
      apply: async () => {
        throw new Error('no such thing');
      },
    };
    install.stages.push({ kind: 'step', step: failing as never });
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const code = await planCommand({
        answers: assetPath('examples/seed-cluster.yaml'),
        offline: true,
        stateDir: join(dir, 'plan-state'),
      });
      expect(code).toBe(1);
      expect(err.mock.calls.map((c) => String(c[0])).join('')).toMatch(
        /stopped at step explode .*no such thing/,
      );
    } finally {
      install.stages.pop();
      err.mockRestore();
      out.mockRestore();
    }
  });
});
