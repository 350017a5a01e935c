// The Preflight screen reads every host key first: new keys are listed with their fingerprints and
// trusted only on the operator's word (all at once); a changed key stops the screen; the checks (which
// log in) run only when no key is waiting or refused.
import { describe, expect, it } from 'vitest';
import { Preflight } from '../../src/screens/Preflight.js';
import type { HostKeyCheck } from '../../src/steps/session.js';
import type { HostKeyScan } from '../../src/steps/transport/ssh.js';
import { seedPlain, valid } from '../helpers/answers.js';
import { mount } from '../helpers/ink.js';

const answers = valid(seedPlain());

function scan(node: string, address: string, verdict: HostKeyScan['verdict']): HostKeyScan {
  return {
    node,
    address,
    port: 22,
    type: 'ssh-ed25519',
    fingerprint: `SHA256:fp-of-${node}`,
    verdict,
    key: Buffer.from(node),
  };
}

describe('Preflight host keys', () => {
  it('lists new fingerprints, trusts them all on t, then runs the checks', async () => {
    let known = false;
    let checks = 0;
    const trusted: string[] = [];
    const scanKeys = async (): Promise<HostKeyCheck> => ({
      scans: answers.hosts.map((h) => scan(h.name, h.address, known ? 'known' : 'new')),
      unreachable: {},
    });
    const s = await mount(
      <Preflight
        answers={answers}
        step="10/12"
        scanKeys={scanKeys}
        trustKeys={async (scans) => {
          trusted.push(...scans.map((x) => x.node));
          known = true;
        }}
        run={async () => {
          checks++;
          return { facts: {}, unreachable: {}, problems: [] };
        }}
        onBack={() => undefined}
        onEdit={() => undefined}
        onContinue={() => undefined}
      />,
    );
    await s.waitFor('5 host key(s) seen for the first time');
    expect(s.frame()).toMatch(/master01\s+172\.16\.100\.100\s+SHA256:fp-of-master01/);
    expect(checks, 'no login before the keys are accepted').toBe(0);
    await s.press('t');
    await s.waitFor('All nodes passed');
    expect(trusted).toEqual(answers.hosts.map((h) => h.name));
    expect(checks).toBe(1);
    s.unmount();
  });

  it('stops on a changed key and offers no way to trust it', async () => {
    let checks = 0;
    const s = await mount(
      <Preflight
        answers={answers}
        step="10/12"
        scanKeys={async () => ({
          scans: [scan('master01', '172.16.100.100', 'changed'), scan('master02', '172.16.100.120', 'new')],
          unreachable: {},
        })}
        trustKeys={async () => {
          throw new Error('must not be called');
        }}
        run={async () => {
          checks++;
          return { facts: {}, unreachable: {}, problems: [] };
        }}
        onBack={() => undefined}
        onEdit={() => undefined}
        onContinue={() => undefined}
      />,
    );
    await s.waitFor('has CHANGED');
    expect(s.frame()).not.toMatch(/t trusts/);
    await s.press('t');
    expect(checks).toBe(0);
    s.unmount();
  });
});
