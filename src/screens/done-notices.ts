// What the Done screen says after an install: the dashboard and failover notices as they are, and the
// per-node certificate notices folded into one line for the cluster (the earliest date counts).
const CERT = /^(\S+): certificates expire from (\d{4}-\d{2}-\d{2})/;

export function doneNotices(notices: string[]): string[] {
  const kept = notices.filter((n) => /Kuboard|failover/.test(n));
  const certs = notices.flatMap((n) => {
    const m = CERT.exec(n);
    return m ? [{ node: m[1]!, date: m[2]! }] : [];
  });
  if (!certs.length) return kept;
  const earliest = certs.map((c) => c.date).sort()[0]!;
  return [
    ...kept,
    `The cluster's certificates expire from ${earliest} (checked on ${certs.length} control plane${certs.length === 1 ? '' : 's'}); the renewal timer renews them monthly.`,
  ];
}
