// Reads of one kind joined into one command: each read gets what its own command would have said.
// The outputs below are rpm's and dpkg's own formats (several versions of one package, a package
// that is missing, records apart by blank lines).
import { describe, expect, it } from 'vitest';
import { batch } from '../../src/steps/engine/batch.js';
import { dpkgQueries, packageQueryRead, rpmQueries } from '../../src/steps/engine/package-query.js';

describe('rpm -q for many packages at once', () => {
  const names = ['kubelet', 'kubeadm', 'kernel', 'ipvsadm'];
  const joined = [
    'kubelet-1.35.2-150500.1.1.x86_64',
    'package kubeadm is not installed',
    'kernel-5.14.0-503.el9.x86_64',
    'kernel-5.14.0-570.el9.x86_64',
    'ipvsadm-1.31-6.el9.x86_64',
    '',
  ].join('\n');

  it('gives each package its own lines and exit code', () => {
    expect(rpmQueries.of(packageQueryRead('rhel', 'kubelet'))).toBe('kubelet');
    expect(rpmQueries.join(names)).toBe('rpm -q kubelet kubeadm kernel ipvsadm');
    expect(rpmQueries.split(names, joined, 5)).toEqual([
      { code: 0, stdout: 'kubelet-1.35.2-150500.1.1.x86_64\n', stderr: '', durationMs: 5 },
      { code: 1, stdout: 'package kubeadm is not installed\n', stderr: '', durationMs: 5 },
      {
        code: 0,
        stdout: 'kernel-5.14.0-503.el9.x86_64\nkernel-5.14.0-570.el9.x86_64\n',
        stderr: '',
        durationMs: 5,
      },
      { code: 0, stdout: 'ipvsadm-1.31-6.el9.x86_64\n', stderr: '', durationMs: 5 },
    ]);
  });

  it('trusts none of it when the output is not one answer per package in order', () => {
    expect(
      rpmQueries.split(['kubelet', 'kubeadm'], 'kubeadm-1.35.2-1.x86_64\nkubelet-1.35.2-1.x86_64\n', 1),
    ).toEqual([undefined, undefined]);
    expect(rpmQueries.split(['kubelet'], 'error: rpmdb open failed\n', 1)).toEqual([undefined]);
  });
});

describe('dpkg -s for many packages at once', () => {
  const record = (n: string, v: string) =>
    `Package: ${n}\nStatus: hold ok installed\nPriority: optional\nArchitecture: amd64\nVersion: ${v}\nDescription: ${n}\n`;

  it('gives each installed package its record, and a missing one exit 1 and nothing', () => {
    const out = `${record('kubelet', '1.35.2-1.1')}\n${record('libc6:amd64', '2.36-9')}`;
    const r = dpkgQueries.split(['kubelet', 'kubeadm', 'libc6'], out, 2);
    expect(r[0]).toEqual({ code: 0, stdout: record('kubelet', '1.35.2-1.1'), stderr: '', durationMs: 2 });
    expect(r[1]).toEqual({ code: 1, stdout: '', stderr: '', durationMs: 2 });
    expect(r[2]!.stdout).toContain('Version: 2.36-9');
    expect(dpkgQueries.of(packageQueryRead('debian', 'kubeadm'))).toBe('kubeadm');
  });

  it('finds each record by its Package: field, with or without the blank line between records', () => {
    const tight = `${record('kubelet', '1.35.2-1.1')}${record('kubeadm', '1.35.2-1.1')}`;
    const r = dpkgQueries.split(['kubelet', 'kubeadm', 'kubectl'], tight, 1);
    expect(r.map((x) => x?.code)).toEqual([0, 0, 1]);
    expect(r[1]!.stdout).toBe(record('kubeadm', '1.35.2-1.1'));
  });
});

describe('a batch with package queries and other reads', () => {
  it('runs one query for all the packages and keeps the other reads in their places', () => {
    const cmds = [
      'echo a',
      packageQueryRead('rhel', 'kubelet'),
      'echo b',
      packageQueryRead('rhel', 'kubeadm'),
    ];
    const b = batch(cmds);
    expect(b.script.match(/rpm -q/g)).toEqual(['rpm -q']);
    expect(b.script).toContain('rpm -q kubelet kubeadm');
  });

  it('leaves a name that needs quoting to its own query', () => {
    const b = batch([packageQueryRead('rhel', 'kubelet'), packageQueryRead('rhel', "x'y")]);
    expect(b.script.match(/rpm -q/g)).toHaveLength(2);
  });
});
