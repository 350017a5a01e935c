// Screen: the virtual IP in front of the control planes, and what holds it (haproxy + keepalived, or
// kube-vip). Proposes a free address in their subnet; checks run as you type. With one control plane
// the load balancer is optional.
import { APISERVER_PORT, DEFAULTS, defaultLbPort, type LbMode } from '../answers/defaults.js';
import { Text } from 'ink';
import { useState } from 'react';
import { checkDraft } from '../wizard/check-draft.js';
import { messageFor, type Draft } from '../wizard/draft.js';
import { suggestVip } from '../wizard/suggest.js';
import { Form } from './components/Form.js';
import { Title } from './components/Title.js';
import type { ScreenProps } from './types.js';

const str = (v: unknown, fallback = '') => (v === undefined || v === null ? fallback : String(v));
const num = (v: string): unknown => (/^\d+$/.test(v.trim()) ? Number(v) : v);

export function LoadBalancer({ draft, catalog, step, onSubmit, onBack }: ScreenProps) {
  const lb = draft.loadBalancer ?? {};
  const cps = draft.hosts.filter((h) => h.role === 'control-plane').length;
  const proposed = suggestVip(draft);
  const [vip, setVip] = useState(str(lb.vip, cps > 1 ? (proposed ?? '') : ''));
  const [mode, setModeState] = useState<LbMode>(
    (lb.mode as LbMode | undefined) ?? DEFAULTS.loadBalancer.mode,
  );
  const [port, setPort] = useState(str(lb.port, String(defaultLbPort(mode))));
  // The port follows the mode while it is the other mode's default (8443 ↔ 6443).
  const setMode = (m: string) => {
    const next = m as LbMode;
    if (port.trim() === String(defaultLbPort(mode))) setPort(String(defaultLbPort(next)));
    setModeState(next);
  };
  const kubeVip = mode === 'kube-vip';
  const [iface, setIface] = useState(str(lb.interface));
  const [vrid, setVrid] = useState(str(lb.virtualRouterId, '51'));
  const next: Draft = vip.trim()
    ? {
        ...draft,
        loadBalancer: {
          ...lb,
          mode,
          vip: vip.trim(),
          port: num(port),
          virtualRouterId: num(vrid),
          interface: iface.trim() || undefined,
        },
      }
    : (({ loadBalancer: _drop, ...rest }) => rest)(draft);
  const problems = checkDraft(next, catalog).problems;
  const required = messageFor(problems, 'loadBalancer');
  return (
    <>
      <Title
        step={step}
        title="Load balancer"
        help={
          kubeVip
            ? `kube-vip (a static pod on each control plane) holds the VIP by ARP; clients reach that node's apiserver on ${APISERVER_PORT}.`
            : `keepalived holds the VIP on one control plane; haproxy on each forwards the LB port to every apiserver's ${APISERVER_PORT}.`
        }
      />
      <Form
        banner={
          cps <= 1 ? (
            <Text dimColor>
              One control plane: the VIP is optional (leave it empty to use the node's own address).
            </Text>
          ) : required ? (
            <Text color="red">✗ {required}</Text>
          ) : null
        }
        fields={[
          {
            kind: 'text',
            key: 'vip',
            label: 'VIP / prefix',
            value: vip,
            onChange: setVip,
            placeholder: proposed ?? '172.16.100.150/24',
            hint: proposed ? `a free address in the control planes' subnet, e.g. ${proposed}` : undefined,
            error:
              messageFor(problems, 'loadBalancer.vip') ??
              (vip ? problems.find((p) => /VIP's subnet/.test(p.message))?.message : undefined),
          },
          {
            kind: 'choice',
            key: 'mode',
            label: 'Holds the VIP',
            value: mode,
            options: [
              { value: 'haproxy-keepalived', label: 'haproxy + keepalived' },
              { value: 'kube-vip', label: 'kube-vip' },
            ],
            onChange: setMode,
            hint: kubeVip
              ? 'no packages, one static pod per node; but the holder’s apiserver takes all API traffic'
              : 'two packages per control plane; haproxy spreads API traffic over every apiserver',
          },
          {
            kind: 'text',
            key: 'port',
            label: 'LB port',
            value: port,
            onChange: setPort,
            hint: kubeVip
              ? `${APISERVER_PORT}: kube-vip serves the apiserver's own port`
              : `not ${APISERVER_PORT}: the apiserver holds it on every control plane`,
            error: vip ? messageFor(problems, 'loadBalancer.port') : undefined,
          },
          {
            kind: 'text',
            key: 'iface',
            label: 'Interface',
            value: iface,
            onChange: setIface,
            placeholder: 'detected on each host',
            hint: "leave empty to use the NIC that carries each host's address",
            error: messageFor(problems, 'loadBalancer.interface'),
          },
          ...(kubeVip
            ? []
            : [
                {
                  kind: 'text' as const,
                  key: 'vrid',
                  label: 'Virtual router id',
                  value: vrid,
                  onChange: setVrid,
                  hint: '1–255, unique on this network segment',
                  error: vip ? messageFor(problems, 'loadBalancer.virtualRouterId') : undefined,
                },
              ]),
        ]}
        onSubmit={() => onSubmit(next)}
        onBack={onBack}
      />
    </>
  );
}
