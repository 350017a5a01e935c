// keepalived on every control plane holds the VIP. Priorities are distinct, and the check weight is
// larger than their spread, so a node whose check fails always drops below every healthy backup
// (with the kubeadm doc's weight -2, a wider spread never fails over).
import { controlPlanes, vrrpInterface, type HostFacts } from '../answers/model.js';
import type { Answers, Host } from '../answers/schema.js';
import { GENERATED_HEADER, type RenderedFile, type Secrets } from './types.js';

export const CHECK_SCRIPT_PATH = '/etc/keepalived/check_apiserver.sh';
export const KEEPALIVED_CONFIG_PATH = '/etc/keepalived/keepalived.conf';
const BASE_PRIORITY = 100;

export interface VrrpPlan {
  priority: number;
  weight: number;
  state: 'MASTER' | 'BACKUP';
}

/** Priority BASE+n-1 ... BASE in control-plane order; weight = -(spread + 2). */
export function vrrpPlan(a: Answers, h: Host): VrrpPlan {
  const cps = controlPlanes(a);
  const idx = cps.findIndex((c) => c.name === h.name);
  if (idx < 0) throw new Error(`${h.name} is not a control plane`);
  const spread = cps.length - 1;
  return {
    priority: BASE_PRIORITY + spread - idx,
    weight: -(spread + 2),
    state: idx === 0 ? 'MASTER' : 'BACKUP',
  };
}

export function renderKeepalived(a: Answers, s: Secrets, h: Host, facts?: HostFacts): RenderedFile {
  const lb = a.loadBalancer;
  if (!lb) throw new Error('renderKeepalived needs a loadBalancer');
  const plan = vrrpPlan(a, h);
  const iface = vrrpInterface(a, h, facts).name;
  const peers = controlPlanes(a).filter((c) => c.name !== h.name);
  const unicast = lb.unicast
    ? [
        `    unicast_src_ip ${h.address}`,
        '    unicast_peer {',
        ...peers.map((p) => `        ${p.address}`),
        '    }',
      ]
    : [];
  const lines = [
    `! ${GENERATED_HEADER}`,
    `! Cluster ${a.cluster.name}: VIP ${lb.vip} for the apiserver load balancer (${h.name}).`,
    'global_defs {',
    `    router_id ${h.name}`,
    '    # Scripts run as root only from root-owned paths.',
    '    enable_script_security',
    '    script_user root',
    '}',
    '',
    '# The local load balancer is down: give the VIP up at once (FAULT sends a priority-0 advert).',
    'vrrp_script check_haproxy {',
    `    script "${CHECK_SCRIPT_PATH} lb"`,
    '    interval 1',
    '    timeout 3',
    '    fall 2',
    '    rise 2',
    '}',
    '',
    '# No apiserver answers through the local load balancer: lower the priority so a healthy node takes over.',
    'vrrp_script check_apiserver {',
    `    script "${CHECK_SCRIPT_PATH}"`,
    '    interval 2',
    '    timeout 3',
    '    fall 2',
    '    rise 2',
    `    # Larger than the priority spread: a failing node sinks below every healthy one.`,
    `    weight ${plan.weight}`,
    '}',
    '',
    'vrrp_instance K8S_APISERVER {',
    `    state ${plan.state}`,
    `    interface ${iface}`,
    `    virtual_router_id ${lb.virtualRouterId}`,
    `    priority ${plan.priority}`,
    '    advert_int 1',
    '    authentication {',
    '        auth_type PASS',
    `        auth_pass ${s.vrrpPassword.slice(0, 8)}`,
    '    }',
    ...unicast,
    '    virtual_ipaddress {',
    `        ${lb.vip} dev ${iface}`,
    '    }',
    '    track_script {',
    '        check_haproxy',
    '        check_apiserver',
    '    }',
    '}',
    '',
  ];
  return {
    path: KEEPALIVED_CONFIG_PATH,
    mode: 0o600,
    kind: 'file',
    secret: true,
    purpose: `keepalived: ${plan.state} priority ${plan.priority} on ${iface}, router id ${lb.virtualRouterId}${lb.unicast ? ', unicast' : ''}`,
    content: lines.join('\n'),
  };
}

export function renderCheckScript(a: Answers): RenderedFile {
  const lb = a.loadBalancer;
  if (!lb) throw new Error('renderCheckScript needs a loadBalancer');
  const url = `https://127.0.0.1:${lb.port}/healthz`;
  return {
    path: CHECK_SCRIPT_PATH,
    mode: 0o755,
    kind: 'file',
    purpose: `keepalived's health checks: this node's haproxy accepts connections, and ${url} answers through it`,
    content: [
      '#!/bin/sh',
      `# ${GENERATED_HEADER}`,
      "# keepalived's health checks. A failure only changes this node's VRRP state or priority so the VIP",
      '# moves; it never kills keepalived.',
      '#   check_apiserver.sh lb  - the local haproxy accepts connections on the LB port',
      '#   check_apiserver.sh     - an apiserver answers /healthz through the local haproxy',
      `url='${url}'`,
      'if [ "${1:-}" = lb ]; then',
      '    # Only nothing listening means no haproxy here. A slow answer (a busy node) is left to the',
      '    # /healthz check, so load alone never flips this node into FAULT. This runs every second, so',
      '    # it asks the kernel (ss, from iproute2, which kubeadm needs too) instead of opening a TLS',
      '    # connection through to an apiserver.',
      `    if [ -z "$(ss -Hltn 'sport = :${lb.port}' 2>/dev/null)" ]; then`,
      `        echo "*** check_apiserver: nothing accepts connections on port ${lb.port}" 1>&2`,
      '        exit 1',
      '    fi',
      '    exit 0',
      'fi',
      'if ! curl -sfk --max-time 2 -o /dev/null "$url"; then',
      '    echo "*** check_apiserver: GET $url failed" 1>&2',
      '    exit 1',
      'fi',
      '',
    ].join('\n'),
  };
}
