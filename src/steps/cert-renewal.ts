// Step 11 (control planes, unless system.certRenewal is none): the monthly certificate-renewal timer,
// and a notice with the date the certificates expire, read from kubeadm itself.
import { CERT_RENEW_SCRIPT, CERT_RENEW_UNIT, renewalCalendar } from '../render/cert-renewal.js';
import type { Step } from './engine/step.js';
import type { StepContext } from './engine/context.js';
import { fileReads, unitActive, unitActiveRead, unitEnabled, unitEnabledRead, upToDate } from './packages.js';

const TIMER = `${CERT_RENEW_UNIT}.timer`;
const SERVICE = `${CERT_RENEW_UNIT}.service`;
const FILES = [CERT_RENEW_SCRIPT, `/etc/systemd/system/${SERVICE}`, `/etc/systemd/system/${TIMER}`];
const EXPIRY = /^(\S+)\s+([A-Z][a-z]{2} \d{1,2}, \d{4} \d{2}:\d{2} UTC)\s/;

/** The leaf certificate that expires first in `kubeadm certs check-expiration` output (CAs left out). */
export function firstExpiry(table: string): { name: string; at: Date } | undefined {
  let first: { name: string; at: Date } | undefined;
  for (const line of table.split('\n')) {
    if (/^CERTIFICATE AUTHORITY\s/.test(line)) break; // the CA table follows the leaf table
    const m = EXPIRY.exec(line);
    if (!m) continue;
    const at = new Date(Date.parse(m[2]!));
    if (!Number.isNaN(at.getTime()) && (!first || at < first.at)) first = { name: m[1]!, at };
  }
  return first;
}

const LAST_RENEWAL_FAILED = `systemctl is-failed --quiet ${SERVICE}`;

async function lastRenewalFailed(ctx: StepContext): Promise<boolean> {
  return (await ctx.probe(LAST_RENEWAL_FAILED)).code === 0;
}

async function reportExpiry(ctx: StepContext): Promise<void> {
  const r = await ctx.probe('kubeadm certs check-expiration');
  const first = r.code === 0 ? firstExpiry(r.stdout) : undefined;
  if (!first) return;
  const days = Math.floor((first.at.getTime() - Date.now()) / 86_400_000);
  ctx.notice(
    `certificates expire from ${first.at.toISOString().slice(0, 10)} (${first.name}, in ${days} days); ` +
      `${TIMER} renews them on the first Monday of each month (${renewalCalendar(ctx.answers, ctx.node)}). ` +
      'The admin kubeconfig on this machine carries a client certificate of the same age; a later apply fetches the renewed one.',
  );
}

export const certRenewal: Step = {
  id: 'cert-renewal',
  title: 'Certificate renewal timer',
  phase: 'verify',
  scope: 'node',
  appliesTo: (h, a) => h.role === 'control-plane' && a.system.certRenewal === 'timer',
  retry: { tries: 2, delayMs: 5000 },
  // The cluster works without it for a year; the operator can renew by hand.
  skippable: true,
  reads: (ctx) => [
    ...fileReads(ctx, FILES),
    unitEnabledRead(TIMER),
    unitActiveRead(TIMER),
    LAST_RENEWAL_FAILED,
  ],
  async check(ctx) {
    for (const path of FILES) if (!(await upToDate(ctx, path))) return false;
    return (
      (await unitEnabled(ctx, TIMER)) && (await unitActive(ctx, TIMER)) && !(await lastRenewalFailed(ctx))
    );
  },
  async apply(ctx) {
    let changed = false;
    for (const path of FILES) changed = (await ctx.ensureFile(ctx.file(path))) || changed;
    if (changed) await ctx.run('systemctl daemon-reload');
    if (changed || !(await unitEnabled(ctx, TIMER)) || !(await unitActive(ctx, TIMER)))
      await ctx.run(`systemctl enable --now ${TIMER}`);
    // A rerun of apply is when an operator looks: say so if the last timed renewal failed.
    if (await lastRenewalFailed(ctx))
      ctx.notice(
        `the last certificate renewal failed. Read journalctl -u ${SERVICE} there, fix the cause, ` +
          `then run ${CERT_RENEW_SCRIPT} by hand (or wait for the next timer run).`,
      );
    await reportExpiry(ctx);
  },
};
