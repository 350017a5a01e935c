// The load balancers read back from the control planes: a roll cut short while control planes are added
// (haproxy.cfg already new, keepalived.conf still the previous set's) is expected before the update
// step, and a problem once it has run; a priority shared within one render is always a problem.
import { describe, expect, it } from 'vitest';
import type { Answers } from '../../src/answers/schema.js';
import { renderHaproxy } from '../../src/render/haproxy.js';
import { renderKeepalived } from '../../src/render/keepalived.js';
import { generateSecrets } from '../../src/secrets/generate.js';
import type { StepContext } from '../../src/steps/engine/context.js';
import { lbProblems } from '../../src/steps/lb-consistency.js';
import { seedWith, valid } from '../helpers/answers.js';

/** Files on each control plane; a context whose probe reads them as the step's command does. */
function onHosts(a: Answers, files: Record<string, { keepalived: string; haproxy: string }>): StepContext {
  return {
    answers: a,
    svc: { facts: Object.fromEntries(Object.keys(files).map((n) => [n, {}])) },
    probeOn: async (h: { name: string }) => ({
      code: 0,
      stdout: `${files[h.name]!.keepalived}\n---HAPROXY---\n${files[h.name]!.haproxy}`,
      stderr: '',
    }),
  } as unknown as StepContext;
}

describe('load-balancer consistency while control planes are added', async () => {
  const secrets = await generateSecrets();
  const three = valid(seedWith(() => {}));
  const five = valid(
    seedWith((s) => {
      s.hosts.push(
        { name: 'master04', address: '172.16.100.130', role: 'control-plane' },
        { name: 'master05', address: '172.16.100.140', role: 'control-plane' },
      );
    }),
  );
  const files = (a: Answers, name: string) => ({
    keepalived: renderKeepalived(
      a,
      secrets,
      a.hosts.find((h) => h.name === name)!,
    ).content,
    haproxy: renderHaproxy(a, secrets).content,
  });

  it('accepts a roll cut short between haproxy and keepalived before the update, not after it', async () => {
    const cps = ['master01', 'master02', 'master03', 'master04', 'master05'];
    const hosts = Object.fromEntries(cps.map((n) => [n, files(five, n)]));
    expect(await lbProblems(onHosts(five, hosts), { allowStale: true })).toEqual([]);
    // master02: the new haproxy.cfg, keepalived.conf still rendered for three (priority 101, as master04's).
    hosts.master02 = { ...files(five, 'master02'), keepalived: files(three, 'master02').keepalived };
    expect(await lbProblems(onHosts(five, hosts), { allowStale: true })).toEqual([]);
    expect((await lbProblems(onHosts(five, hosts))).join('\n')).toMatch(
      /master02 and master04 share keepalived priority 101/,
    );
  });

  it('refuses a priority shared within one render even before the update', async () => {
    const cps = ['master01', 'master02', 'master03'];
    const hosts = Object.fromEntries(cps.map((n) => [n, files(three, n)]));
    hosts.master03 = {
      ...hosts.master03!,
      keepalived: hosts.master03!.keepalived.replace(/priority 100/, 'priority 101'),
    };
    expect((await lbProblems(onHosts(three, hosts), { allowStale: true })).join('\n')).toMatch(
      /master02 and master03 share keepalived priority 101/,
    );
  });
});
