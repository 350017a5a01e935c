// The seed install from the lab's operator namespace: exit 0, five Ready nodes through the VIP, a
// kubeconfig that points at the VIP, the failover drill; a rerun changes nothing; the certificate-renewal
// timer on the control planes and its script; no secret leaks.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Secrets } from '../../src/render/types.js';
import { secretValues } from '../../src/secrets/generate.js';
import { useLab } from './fixture.js';
import { labExec } from './lab.js';
import { apply, initCount, kubectlNodes, statusesOf, workspace } from './install.js';

const { enabled, lab } = useLab('seed install tests');

function filesUnder(dir: string): string[] {
  let out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out = out.concat(filesUnder(p));
    else out.push(p);
  }
  return out;
}

describe.runIf(enabled)('installing the seed cluster in the lab', () => {
  it(
    'installs, verifies through the VIP, survives the failover drill, and a rerun changes nothing',
    { timeout: 300_000 },
    async () => {
      const s = lab.state;
      const ws = workspace(s, 'seed');
      const first = await apply(ws, { extra: ['--failover-drill'] });
      expect(first.code, `${first.stderr}\n${first.stdout.slice(-3000)}`).toBe(0);
      const finished = first.events.find((e) => e.type === 'run-finished');
      expect(finished).toMatchObject({ status: 'completed' });
      expect(
        first.events.some(
          (e) =>
            e.type === 'notice' &&
            /failover drill: the VIP moved from master0\d to master0\d/.test(e.message),
        ),
        JSON.stringify(
          first.events.filter(
            (e) => e.type === 'notice' || (e.type === 'step-finished' && e.step === 'failover-drill'),
          ),
        ),
      ).toBe(true);

      const nodes = kubectlNodes(s, ws);
      expect(nodes.map((n) => n.name).sort()).toEqual([
        'master01',
        'master02',
        'master03',
        'worker01',
        'worker02',
      ]);
      expect(nodes.every((n) => n.ready)).toBe(true);
      expect(
        nodes
          .filter((n) => n.controlPlane)
          .map((n) => n.name)
          .sort(),
      ).toEqual(['master01', 'master02', 'master03']);

      const kubeconfig = join(ws.kubeconfigDir, 'seed-cluster.conf');
      expect(readFileSync(kubeconfig, 'utf8')).toMatch(/server: https:\/\/172\.16\.100\.150:8443/);
      expect(statSync(kubeconfig).mode & 0o777).toBe(0o600);
      expect(initCount(s)).toBe(1);

      const second = await apply(ws);
      expect(second.code, second.stderr).toBe(0);
      const st = statusesOf(second);
      expect(st.changed ?? [], 'a rerun must change nothing').toEqual([]);
      expect(st.failed ?? []).toEqual([]);
      expect((st.unchanged ?? []).length).toBeGreaterThan(20);
      expect(second.ms).toBeLessThan(first.ms * 0.6);
      expect(initCount(s)).toBe(1);
      process.stderr.write(`seed install ${first.ms} ms, rerun ${second.ms} ms\n`);

      // The renewal timer runs on the control planes only, and its script renews for real.
      // One notice per control plane; the node is the event's, and the message does not repeat it.
      const expiry = first.events.flatMap((e) =>
        e.type === 'notice' && /^certificates expire from \d{4}-\d{2}-\d{2}/.test(e.message)
          ? [e.node ?? '']
          : [],
      );
      expect(expiry.sort()).toEqual(['master01', 'master02', 'master03']);
      for (const h of ['master01', 'master02', 'master03', 'worker01']) {
        const t = labExec(
          s,
          h,
          'systemctl is-enabled --quiet k8s-certs-renew.timer && systemctl is-active --quiet k8s-certs-renew.timer',
        );
        expect(t.code === 0, h).toBe(h.startsWith('master'));
      }
      const serial = () =>
        labExec(
          s,
          'master01',
          'openssl x509 -noout -serial -in /etc/kubernetes/pki/apiserver.crt',
        ).stdout.trim();
      const before = serial();
      const renew = labExec(s, 'master01', '/usr/local/sbin/k8s-certs-renew.sh');
      expect(renew.code, `${renew.stdout}${renew.stderr}`).toBe(0);
      expect(renew.stdout).toMatch(/Done renewing certificates[\s\S]*CERTIFICATE AUTHORITY/);
      expect(serial()).toMatch(/^serial=/);
      expect(serial()).not.toBe(before);
      expect(kubectlNodes(s, ws).every((n) => n.ready)).toBe(true);

      // Secrets appear only in the 0600 secrets file, never in logs, journal, kubeconfig or known hosts.
      const clusterDir = join(ws.stateDir, 'clusters', 'seed-cluster');
      const secrets = JSON.parse(readFileSync(join(clusterDir, 'secrets.json'), 'utf8')) as Secrets;
      expect(statSync(join(clusterDir, 'secrets.json')).mode & 0o777).toBe(0o600);
      expect(secrets.caKeyPem, 'the CA key left the operator machine after init').toBeUndefined();
      const values = secretValues(secrets);
      for (const h of s.hosts) {
        const config = labExec(s, h.name, 'cat /etc/kubernetes/kubeadm-config.yaml').stdout;
        expect(config, `${h.name}: kubeadm-config.yaml was scrubbed`).toContain('removed-after-join');
        for (const v of [secrets.bootstrapToken, secrets.certificateKey])
          expect(config.includes(v), `${h.name}: kubeadm-config.yaml holds a join secret`).toBe(false);
        // The host lock lived in a root-only directory, and is gone after the run.
        expect(labExec(s, h.name, 'stat -c %a:%u /run/k8sha-wizard').stdout.trim()).toBe('700:0');
        expect(labExec(s, h.name, 'test -e /run/k8sha-wizard/lock').code).not.toBe(0);
      }
      const written = [
        ...filesUnder(ws.stateDir).filter((f) => !f.endsWith('secrets.json')),
        kubeconfig,
        ws.answers,
      ];
      for (const f of written) {
        const text = readFileSync(f, 'utf8');
        for (const v of values) expect(text.includes(v), `${f} contains a secret`).toBe(false);
      }
      expect(
        first.stdout.includes(secrets.bootstrapToken) || first.stdout.includes(secrets.certificateKey),
      ).toBe(false);
    },
  );
});
