// HTTPS to a simulated apiserver: verified against the cluster CA (and the server name, so a VIP
// missing from the certificate fails like x509 does), or insecure for kubeadm's discovery.
import { request } from 'node:https';

export interface HttpResult {
  status: number;
  body: string;
}

export interface HttpOptions {
  method?: string;
  body?: unknown;
  ca?: string;
  cert?: string;
  key?: string;
  token?: string;
  insecure?: boolean;
  timeoutMs?: number;
  headers?: Record<string, string>;
}

export function https(url: string, o: HttpOptions = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const body = o.body === undefined ? undefined : JSON.stringify(o.body);
    const req = request(
      url,
      {
        method: o.method ?? (body ? 'POST' : 'GET'),
        ca: o.ca,
        cert: o.cert,
        key: o.key,
        rejectUnauthorized: !o.insecure,
        timeout: o.timeoutMs ?? 10_000,
        headers: {
          ...(body ? { 'content-type': 'application/json' } : {}),
          ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
          ...o.headers,
        },
      },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (data += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
      },
    );
    req.on('timeout', () =>
      req.destroy(
        new Error(
          `Get "${url}": net/http: request canceled while waiting for connection (Client.Timeout exceeded)`,
        ),
      ),
    );
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

/** The message kubectl/kubeadm print for a failed connection, in Go's style. */
export function dialError(url: string, e: unknown): string {
  const err = e as NodeJS.ErrnoException & { reason?: string };
  const u = new URL(url);
  const addr = `${u.hostname}:${u.port || 443}`;
  if (err.code === 'ECONNREFUSED') return `dial tcp ${addr}: connect: connection refused`;
  if (err.code === 'EHOSTUNREACH') return `dial tcp ${addr}: connect: no route to host`;
  if (err.code === 'ENETUNREACH') return `dial tcp ${addr}: connect: network is unreachable`;
  if (err.code === 'ECONNRESET') return `read tcp ${addr}: read: connection reset by peer`;
  if (err.code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return `tls: failed to verify certificate: x509: certificate is valid for ${err.reason?.replace(/^.*?: /, '') ?? 'other names'}, not ${u.hostname}`;
  if (err.code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' || err.code === 'SELF_SIGNED_CERT_IN_CHAIN')
    return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
  return err.message;
}
