// Preflight on a cgroup v1 host: refused for 1.35+ (the kubelet's failCgroupV1), with how to switch.
import { describe, expect, it } from 'vitest';
import { preflight } from '../../src/steps/engine/preflight.js';
import type { NodeFacts } from '../../src/steps/engine/facts.js';
import { seedPlain, valid } from '../helpers/answers.js';

function facts(name: string, i: number, cgroup: string): NodeFacts {
  return {
    osId: 'rocky',
    osVersion: '9.6',
    osFamily: 'rhel',
    hostname: name,
    arch: 'x86_64',
    cpus: 2,
    memMiB: 4096,
    machineId: `m${i}`,
    productUuid: `u${i}`,
    macs: [`02:00:00:00:00:0${i}`],
    addressInterface: 'eth0',
    interface: 'eth0',
    swapOn: false,
    selinux: 'permissive',
    clockSkewMs: 0,
    cgroup,
    busyPorts: [],
    uid: 0,
    joined: false,
    firewall: 'none',
    vipHere: false,
  };
}

describe('preflight: cgroup v1', () => {
  it('refuses a cgroup v1 host for 1.35+ and says how to move it to cgroup v2', () => {
    const a = valid(seedPlain());
    const all = (v1: string) =>
      Object.fromEntries(
        a.hosts.map((h, i) => [h.name, facts(h.name, i, h.name === v1 ? 'tmpfs' : 'cgroup2fs')]),
      );
    expect(preflight(a, all(''), false)).toEqual([]);
    const problems = preflight(a, all('worker02'), false);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.node).toBe('worker02');
    expect(problems[0]!.message).toMatch(/cgroup v1: the kubelet of Kubernetes 1\.3[5-9].* refuses to start/);
    expect(problems[0]!.message).toMatch(
      /systemd\.unified_cgroup_hierarchy=1[\s\S]*grubby[\s\S]*update-grub[\s\S]*reboot/,
    );
  });
});
