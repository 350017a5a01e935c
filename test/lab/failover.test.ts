// Real VRRP in the lab: the rendered haproxy and keepalived configs on the three control planes,
// started through the simulated systemctl. The VIP lands on one of them, answers /healthz from the
// operator namespace, and moves within 5 s when haproxy or keepalived stops on the holder.
import { spawn, type ChildProcess } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderForLab } from './cluster.js';
import { FIREWALL_OFF, IS_RHEL, PREPARE_NODE, pushFiles, sh, useLab } from './fixture.js';
import { waitFor } from '../helpers/wait.js';
import { labWs, vipHolder, wsArgv, type LabState } from './lab.js';

const { enabled, lab } = useLab('VRRP failover tests');
const CPS = ['master01', 'master02', 'master03'];
const HEALTHZ = 'https://172.16.100.150:8443/healthz';

/**
 * Probes the VIP from the operator namespace every 100 ms; reports the longest run of failures.
 * Each probe records when it started as well as when it ended: a probe sent while no node held the
 * VIP ends with a timeout up to a second after the VIP moved, and that is the outage, not a new one.
 */
class VipProbe {
  private child: ChildProcess;
  private lines: { started: number; at: number; ok: boolean }[] = [];
  constructor() {
    const loop = `while :; do s=$(date +%s%3N); code=$(curl -sk --max-time 1 -o /dev/null -w '%{http_code}' ${HEALTHZ}); echo "$s $(date +%s%3N) $code"; sleep 0.1; done`;
    const [cmd, ...args] = wsArgv(['sh', '-c', loop]);
    this.child = spawn(cmd!, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    this.child.stdout!.setEncoding('utf8');
    let buf = '';
    this.child.stdout!.on('data', (d: string) => {
      buf += d;
      const parts = buf.split('\n');
      buf = parts.pop()!;
      for (const p of parts) {
        const [started, at, code] = p.split(' ');
        this.lines.push({ started: Number(started), at: Number(at), ok: code === '200' });
      }
    });
  }
  /** Probes that were sent at or after `since` (ms since the epoch) and have ended. */
  sentSince(since: number): { ok: boolean }[] {
    return this.lines.filter((l) => l.started >= since);
  }
  stop(): { probes: number; longestOutageMs: number } {
    this.child.kill('SIGKILL');
    let longest = 0;
    let since: number | undefined;
    for (const l of this.lines) {
      if (!l.ok) since ??= l.at;
      else if (since !== undefined) {
        longest = Math.max(longest, l.at - since);
        since = undefined;
      }
    }
    if (since !== undefined) longest = Math.max(longest, this.lines.at(-1)!.at - since);
    return { probes: this.lines.length, longestOutageMs: longest };
  }
}

function healthz(): string {
  return labWs(['curl', '-sk', '--max-time', '2', HEALTHZ]).stdout;
}

describe.runIf(enabled)('VRRP failover in the lab', () => {
  beforeAll(async () => {
    const s: LabState = lab.state;
    const { result } = await renderForLab(s);
    for (const h of CPS) {
      pushFiles(s, h, result.nodes[h]!);
      sh(s, h, FIREWALL_OFF); // VRRP and haproxy are the subject here; the installer's firewall rules are tested with it
      sh(
        s,
        h,
        `if ${IS_RHEL}; then dnf install -y haproxy keepalived >/dev/null; else apt-get install -y haproxy keepalived >/dev/null; fi`,
      );
      sh(
        s,
        h,
        'systemctl enable --now haproxy && systemctl enable --now keepalived && systemctl is-active haproxy keepalived',
      );
    }
  }, 120_000);

  it('puts the VIP on exactly one control plane', async () => {
    const s = lab.state;
    const { value, ms } = await waitFor('the VIP', () => vipHolder(s), 15_000);
    expect(CPS).toContain(value);
    process.stderr.write(`VIP on ${value} after ${ms} ms\n`);
  });

  it('answers /healthz through the VIP from the operator namespace once an apiserver runs', async () => {
    const s = lab.state;
    expect(healthz()).not.toBe('ok'); // no apiserver yet: haproxy has no healthy backend
    sh(s, 'master01', PREPARE_NODE);
    sh(s, 'master01', 'kubeadm init --config /etc/kubernetes/kubeadm-config.yaml --upload-certs >/dev/null');
    const { ms } = await waitFor('/healthz through the VIP', () => healthz() === 'ok' || undefined, 20_000);
    process.stderr.write(`/healthz via the VIP answered ${ms} ms after init\n`);
  });

  for (const service of ['haproxy', 'keepalived']) {
    it(`moves the VIP within 5 s when ${service} stops on the holder, and keeps answering`, async () => {
      const s = lab.state;
      await waitFor('the VIP to be answered', () => healthz() === 'ok' || undefined, 20_000);
      const holder = vipHolder(s)!;
      const probe = new VipProbe();
      await new Promise((r) => setTimeout(r, 500));
      sh(s, holder, `systemctl stop ${service}`);
      const moved = await waitFor(
        'the VIP to move',
        () => {
          const h = vipHolder(s);
          return h && h !== holder ? h : undefined;
        },
        10_000,
      );
      await waitFor('the VIP to answer again', () => healthz() === 'ok' || undefined, 5_000);
      // It keeps answering: every probe sent after that succeeds (at least three of them).
      const answeredAt = Date.now();
      const after = await waitFor(
        'three probes after the VIP answered again',
        () => {
          const sent = probe.sentSince(answeredAt);
          return sent.length >= 3 ? sent : undefined;
        },
        10_000,
      );
      const p = probe.stop();
      process.stderr.write(
        `${service} stopped on ${holder}: VIP moved to ${moved.value} in ${moved.ms} ms; longest outage ${p.longestOutageMs} ms over ${p.probes} probes\n`,
      );
      expect(moved.ms).toBeLessThan(5000);
      expect(p.longestOutageMs).toBeLessThan(5000);
      expect(after.value.filter((l) => !l.ok)).toEqual([]);
      sh(s, holder, `systemctl start ${service}`);
      // The original holder has the highest priority and takes the VIP back once healthy.
      await waitFor('the VIP to return', () => (vipHolder(s) === holder ? holder : undefined), 15_000);
    });
  }
});
