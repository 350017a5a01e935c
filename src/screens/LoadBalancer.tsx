// Screen: the virtual IP in front of the control planes. Proposes a free address in their subnet;
// checks run as you type. With one control plane the load balancer is optional.
import { APISERVER_PORT } from '../answers/defaults.js';
import { Text } from 'ink';
import { useState } from 'react';
import { checkDraft, messageFor, type Draft } from '../wizard/draft.js';
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
  const [port, setPort] = useState(str(lb.port, '8443'));
  const [iface, setIface] = useState(str(lb.interface));
  const [vrid, setVrid] = useState(str(lb.virtualRouterId, '51'));
  const next: Draft = vip.trim()
    ? {
        ...draft,
        loadBalancer: {
          ...lb,
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
        help={`keepalived holds the VIP on one control plane; haproxy on each forwards the LB port to every apiserver's ${APISERVER_PORT}.`}
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
            kind: 'text',
            key: 'port',
            label: 'LB port',
            value: port,
            onChange: setPort,
            hint: `not ${APISERVER_PORT}: the apiserver holds it on every control plane`,
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
          {
            kind: 'text',
            key: 'vrid',
            label: 'Virtual router id',
            value: vrid,
            onChange: setVrid,
            hint: '1–255, unique on this network segment',
            error: vip ? messageFor(problems, 'loadBalancer.virtualRouterId') : undefined,
          },
        ]}
        onSubmit={() => onSubmit(next)}
        onBack={onBack}
      />
    </>
  );
}
