// The pure pieces of the day-2 commands: the answers edit that keeps comments, the pods a drain
// names, durations, and the status report's text.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { formatStatus } from '../../src/cli/status.js';
import { parseDuration } from '../../src/cli/confirm.js';
import { createHash } from 'node:crypto';
import { parseMaxUnavailable } from '../../src/cli/upgrade.js';
import { withoutHost, withVersion } from '../../src/input/answers-edit.js';
import { decodeSnapshotStream, snapshotIntact } from '../../src/steps/etcd-snapshot.js';
import { kubeVersion, olderThan } from '../../src/steps/upgrade-check.js';
import { blockingPods, quorum, refusedPods } from '../../src/steps/removal.js';
import type { ClusterStatus } from '../../src/steps/cluster-status.js';

const ANSWERS = `# our lab cluster
version: 1
cluster:
  name: seed-cluster # keep this name
hosts:
  # the control planes
  - name: master01
    address: 172.16.100.100
    role: control-plane
  - name: master02 # the spare
    address: 172.16.100.120
    role: control-plane

  # the workers
  - name: worker01
    address: 172.16.100.180
    role: worker
`;

describe('withoutHost', () => {
  it('takes out one host and keeps every comment and the order of the rest', () => {
    const next = withoutHost(ANSWERS, 'master02');
    expect(next).not.toMatch(/master02|the spare/);
    for (const c of ['# our lab cluster', '# keep this name', '# the control planes', '# the workers'])
      expect(next).toContain(c);
    expect((parse(next) as { hosts: { name: string }[] }).hosts.map((h) => h.name)).toEqual([
      'master01',
      'worker01',
    ]);
  });

  it('leaves the text as it is when the host is not there', () => {
    expect(withoutHost(ANSWERS, 'worker09')).toBe(ANSWERS);
  });
});

describe('blockingPods', () => {
  it('names the pods a drain could not evict, with their namespace', () => {
    const out = [
      'node/worker01 cordoned',
      'evicting pod default/web-1',
      'error when evicting pods/"web-1" -n "default" (will retry after 5s): Cannot evict pod as it would violate the pod\'s disruption budget.',
      'error: cannot delete Pods declare no controller (use --force to override): pod "lonely" in namespace "tools"',
    ].join('\n');
    expect(blockingPods(out).sort()).toEqual(['default/web-1', 'tools/lonely']);
    expect(blockingPods('node/worker01 drained')).toEqual([]);
  });

  it('names what kubectl drain refuses outright, as the real kubectl says it', () => {
    const out = [
      'node/worker01 cordoned',
      'error: unable to drain node "worker01" due to error: cannot delete Pods that declare no controller (use --force to override): default/web-1, tools/lonely, continuing command...',
      'There are pending nodes to be drained:',
      ' worker01',
      'cannot delete Pods with local storage (use --delete-emptydir-data to override): db/cache-0',
    ].join('\n');
    expect(refusedPods(out)).toEqual([
      { why: 'Pods that declare no controller', pods: ['default/web-1', 'tools/lonely'] },
      { why: 'Pods with local storage', pods: ['db/cache-0'] },
    ]);
    expect(blockingPods(out).sort()).toEqual(['db/cache-0', 'default/web-1', 'tools/lonely']);
    expect(refusedPods('evicting pod default/web-1')).toEqual([]);
  });
});

describe('quorum', () => {
  it('is a majority of the members', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(quorum)).toEqual([1, 2, 2, 3, 3, 4, 4]);
  });
});

describe('parseDuration', () => {
  it('takes seconds, or a number with s, m or h', () => {
    expect(parseDuration('--drain-timeout', undefined, 300)).toBe(300);
    expect(parseDuration('--drain-timeout', '90', 300)).toBe(90);
    expect(parseDuration('--drain-timeout', '10m', 300)).toBe(600);
    expect(parseDuration('--drain-timeout', '2h', 300)).toBe(7200);
  });
  it.each(['0', '-5', '5x', '1.5m', '', '25h'])('refuses %j with the flag and an example', (v) => {
    expect(() => parseDuration('--drain-timeout', v, 300)).toThrow(/--drain-timeout .* is not a duration/);
  });
});

describe('formatStatus', () => {
  const healthy: ClusterStatus = {
    healthy: true,
    problems: [],
    askedOn: 'master01',
    nodes: [
      {
        name: 'master01',
        role: 'control-plane',
        reachable: true,
        inCluster: true,
        ready: true,
        cordoned: false,
        kubeletVersion: 'v1.36.4',
      },
      {
        name: 'worker01',
        role: 'worker',
        reachable: false,
        inCluster: true,
        ready: false,
        kubeletVersion: 'v1.36.4',
      },
    ],
    etcd: {
      members: [{ name: 'master01', id: '8e9e05c52164694d', healthy: true, leader: true, learner: false }],
      quorum: true,
    },
    vip: { address: '172.16.100.150', holder: 'master01' },
    loadBalancer: [{ backend: 'master01', answers: true }],
    certificates: { first: 'apiserver', expires: '2027-11-30T00:00:00.000Z', days: 364 },
    drift: { missing: [], extra: [], versions: [] },
  };

  it('says healthy, lists each node, the etcd leader, the VIP holder and the first certificate', () => {
    const text = formatStatus('seed-cluster', healthy).join('\n');
    expect(text).toMatch(/^cluster seed-cluster: healthy \(asked master01\)/);
    expect(text).toMatch(/master01\s+control-plane\s+yes\s+yes\s+no\s+v1\.36\.4/);
    expect(text).toMatch(/worker01\s+worker\s+NO\s+NO/);
    expect(text).toMatch(/etcd: 1 member\(s\), quorum holds, leader master01/);
    expect(text).toMatch(/VIP 172\.16\.100\.150: on master01/);
    expect(text).toMatch(/certificates: the first expires 2027-11-30 \(apiserver, in 364 days\)/);
    expect(text).toMatch(/drift from the answers: none/);
  });

  it('puts each problem at the top of a degraded report and names the drift', () => {
    const text = formatStatus('seed-cluster', {
      ...healthy,
      healthy: false,
      problems: ['etcd member master02 is not healthy'],
      etcd: { members: [], quorum: false },
      drift: { missing: ['worker02'], extra: ['worker09'], versions: [] },
    });
    expect(text[0]).toBe('cluster seed-cluster: DEGRADED (asked master01)');
    expect(text[1]).toBe('  ! etcd member master02 is not healthy');
    expect(text.join('\n')).toMatch(/quorum LOST/);
    expect(text.join('\n')).toMatch(/drift from the answers: worker02 missing; worker09 extra/);
  });
});

describe('etcd snapshots', () => {
  /** A stream as etcd's gateway sends it: JSON lines with base64 blobs, the SHA-256 at the end. */
  function stream(db: Buffer, chunk = 1000): string {
    const all = Buffer.concat([db, createHash('sha256').update(db).digest()]);
    const lines: string[] = [];
    for (let i = 0; i < all.length; i += chunk)
      lines.push(
        JSON.stringify({
          result: {
            header: { revision: '42' },
            remaining_bytes: String(all.length - i - chunk),
            blob: all.subarray(i, i + chunk).toString('base64'),
          },
        }),
      );
    return lines.join('\n') + '\n';
  }

  it('decodes the stream and checks the SHA-256 etcd appends', () => {
    const db = Buffer.alloc(10_000, 7);
    const out = decodeSnapshotStream(stream(db));
    expect(out.revision).toBe('42');
    expect(out.db.subarray(0, db.length).equals(db)).toBe(true);
    expect(snapshotIntact(out.db)).toBe(true);
    const damaged = Buffer.from(out.db);
    damaged[100] = damaged[100]! ^ 1;
    expect(snapshotIntact(damaged)).toBe(false);
  });

  it('refuses an error, and a stream too short to be a database', () => {
    expect(() => decodeSnapshotStream('{"error":{"message":"etcdserver: no leader"}}\n')).toThrow(
      /etcd refused the snapshot: etcdserver: no leader/,
    );
    expect(() => decodeSnapshotStream(stream(Buffer.alloc(100)))).toThrow(/too short/);
  });
});

describe('upgrades', () => {
  it('reads versions and orders them', () => {
    expect(kubeVersion('v1.36.4')).toEqual({ minor: 36, patch: 4, text: '1.36.4' });
    expect(kubeVersion('garbage')).toBeUndefined();
    expect(olderThan(kubeVersion('1.36.4')!, kubeVersion('1.37.0')!)).toBe(true);
    expect(olderThan(kubeVersion('1.37.1')!, kubeVersion('1.37.0')!)).toBe(false);
  });

  it('takes --max-unavailable as a count or a percentage of the workers, at least one', () => {
    expect(parseMaxUnavailable(undefined, 10)).toBe(1);
    expect(parseMaxUnavailable('3', 10)).toBe(3);
    expect(parseMaxUnavailable('25%', 10)).toBe(2);
    expect(parseMaxUnavailable('10%', 2)).toBe(1);
    for (const bad of ['0', '-1', '150%', 'two', '1.5'])
      expect(() => parseMaxUnavailable(bad, 10), bad).toThrow(/--max-unavailable .* is not a count/);
  });

  it('writes the new version into the answers and keeps the comments', () => {
    const next = withVersion(
      ANSWERS.replace('  name: seed-cluster', '  name: seed-cluster\n  kubernetesVersion: "1.36"'),
      '1.37',
    );
    expect((parse(next) as { cluster: { kubernetesVersion: string } }).cluster.kubernetesVersion).toBe(
      '1.37',
    );
    expect(next).toContain('# keep this name');
  });
});
