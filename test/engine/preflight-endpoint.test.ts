// An installed cluster's API endpoint cannot move: answers that name another VIP or port, or a load
// balancer added to a single control plane installed without one, are refused before any change.
import { describe, expect, it } from 'vitest';
import { endpointMismatch } from '../../src/steps/engine/preflight.js';
import { parseFacts } from '../../src/steps/engine/facts.js';
import { seedPlain, valid } from '../helpers/answers.js';

describe('preflight: the installed cluster API endpoint', () => {
  const seed = valid(seedPlain());

  it('reads the endpoint a joined host names from the facts script output', () => {
    expect(parseFacts('joined=1\napi_server=172.16.100.150:8443\n', 0).apiServer).toBe('172.16.100.150:8443');
    // Anything else than host:port from a host never reaches a message.
    expect(parseFacts('joined=1\napi_server=$(reboot)\n', 0).apiServer).toBeUndefined();
  });

  it('accepts a fresh host and hosts of this cluster', () => {
    const facts = { master01: { apiServer: '172.16.100.150:8443' }, worker01: {} };
    expect(endpointMismatch(seed, facts)).toBeUndefined();
  });

  it('refuses another VIP or port, naming the hosts and both endpoints', () => {
    const moved = valid({ ...seedPlain(), loadBalancer: { vip: '172.16.100.151/24', port: 8443 } });
    const r = endpointMismatch(moved, {
      master01: { apiServer: '172.16.100.150:8443' },
      worker01: { apiServer: '172.16.100.150:8443' },
      worker02: {},
    });
    expect(r?.message).toMatch(
      /^master01, worker01 belong to a cluster whose API endpoint is 172\.16\.100\.150:8443, but the answers say 172\.16\.100\.151:8443/,
    );
    expect(r?.hint).toMatch(
      /put loadBalancer\.vip and loadBalancer\.port back as installed \(172\.16\.100\.150:8443\)/,
    );
  });

  it('explains that a control plane installed without a load balancer cannot grow', () => {
    // master01 alone was installed with no loadBalancer: its own address and 6443.
    const r = endpointMismatch(seed, { master01: { apiServer: `${seed.hosts[0]!.address}:6443` } });
    expect(r?.message).toMatch(/^master01 belongs to a cluster whose API endpoint is 172\.16\.100\.\d+:6443/);
    expect(r?.hint).toMatch(/installed with one control plane and no loadBalancer, so it cannot grow/);
    expect(r?.hint).toMatch(/single-control-plane\.yaml/);
  });
});
