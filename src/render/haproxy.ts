// /etc/haproxy/haproxy.cfg on every control plane: a TCP frontend on the LB port in front of every
// apiserver's 6443, with HTTPS /healthz checks. Valid on haproxy 2.4 through 3.x: no nbproc (fatal
// since 2.5), no admin:admin stats, no user that may not exist.
import { controlPlanes } from '../answers/model.js';
import type { Answers } from '../answers/schema.js';
import { APISERVER_BIND_PORT } from './kubeadm.js';
import { GENERATED_HEADER, type RenderedFile, type Secrets } from './types.js';

export const HAPROXY_STATS_PORT = 8404;
export const HAPROXY_CONFIG_PATH = '/etc/haproxy/haproxy.cfg';

export function renderHaproxy(a: Answers, s: Secrets): RenderedFile {
  const lb = a.loadBalancer;
  if (!lb) throw new Error('renderHaproxy needs a loadBalancer');
  const width = Math.max(...controlPlanes(a).map((h) => h.name.length));
  const servers = controlPlanes(a).map(
    (h) => `    server ${h.name.padEnd(width)} ${h.address}:${APISERVER_BIND_PORT} check verify none`,
  );
  const stats = lb.stats
    ? [
        '',
        '# Read-only stats, reachable only from this node (ssh -L 8404:127.0.0.1:8404 ...).',
        'listen stats',
        '    mode http',
        `    bind 127.0.0.1:${HAPROXY_STATS_PORT}`,
        '    option httplog',
        '    stats enable',
        '    stats uri /stats',
        '    stats refresh 10s',
        '    stats hide-version',
        `    stats auth k8sha:${s.haproxyStatsPassword}`,
      ]
    : [];
  const lines = [
    `# ${GENERATED_HEADER}`,
    `# Cluster ${a.cluster.name}: load balancer for kube-apiserver on every control plane.`,
    'global',
    '    log /dev/log local0',
    '    log /dev/log local1 notice',
    '    user haproxy',
    '    group haproxy',
    '    daemon',
    '    # No nbproc (fatal since haproxy 2.5; threads are automatic) and no fixed maxconn: haproxy derives it',
    '    # from the file-descriptor limit, so the config starts wherever that limit is lower.',
    '',
    'defaults',
    '    mode tcp',
    '    log global',
    '    option tcplog',
    '    option dontlognull',
    '    option redispatch',
    '    retries 3',
    '    # Short, so a connection to a dead apiserver is retried on another one before clients give up.',
    '    timeout connect 2s',
    '    timeout client 35s',
    '    timeout server 35s',
    '    # kubectl watch/logs/exec streams stay open much longer than a request.',
    '    timeout tunnel 1h',
    '    timeout check 10s',
    '',
    'frontend k8s-apiserver',
    `    # Not ${APISERVER_BIND_PORT}: kube-apiserver already holds it on this node.`,
    `    bind *:${lb.port}`,
    '    default_backend k8s-apiserver',
    '',
    'backend k8s-apiserver',
    '    option httpchk',
    '    http-check connect ssl',
    '    http-check send meth GET uri /healthz',
    '    http-check expect status 200',
    '    balance roundrobin',
    '    default-server inter 2s fall 2 rise 2',
    ...servers,
    ...stats,
    '',
  ];
  return {
    path: HAPROXY_CONFIG_PATH,
    mode: lb.stats ? 0o600 : 0o644,
    kind: 'file',
    ...(lb.stats ? { secret: true } : {}),
    purpose: `haproxy: :${lb.port} -> ${controlPlanes(a).length} apiserver(s) on :${APISERVER_BIND_PORT} with HTTPS /healthz checks${lb.stats ? `, stats on 127.0.0.1:${HAPROXY_STATS_PORT}` : ''}`,
    content: lines.join('\n'),
  };
}
