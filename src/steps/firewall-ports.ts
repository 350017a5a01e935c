// The ports a node must accept (kubernetes.io ports-and-protocols, plus haproxy/VRRP and Calico).
import { APISERVER_PORT } from '../answers/defaults.js';
import type { Answers, Host } from '../answers/schema.js';
import { usesHaproxy } from '../answers/model.js';

export interface FirewallRules {
  ports: string[];
  /** IP protocols by name: VRRP for keepalived, IP-in-IP for Calico. */
  protocols: string[];
}

export function firewallRules(a: Answers, h: Host): FirewallRules {
  const calico = ['179/tcp', '4789/udp', '5473/tcp'];
  const node = ['10250/tcp', '10256/tcp', '30000-32767/tcp'];
  if (h.role === 'control-plane') {
    // kube-vip serves the VIP on the apiserver's own port and announces it by ARP: no VRRP.
    const lb = usesHaproxy(a) ? [`${a.loadBalancer!.port}/tcp`] : [];
    return {
      ports: [`${APISERVER_PORT}/tcp`, ...lb, '2379-2380/tcp', '10257/tcp', '10259/tcp', ...node, ...calico],
      protocols: usesHaproxy(a) ? ['vrrp', 'ipip'] : ['ipip'],
    };
  }
  return { ports: [...node, ...calico], protocols: ['ipip'] };
}
