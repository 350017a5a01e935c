// Screen: pod and service networks, CNI and kube-proxy mode. Overlaps show as you type, with a
// range that does not overlap.
import { useState } from 'react';
import { DEFAULTS } from '../answers/defaults.js';
import { checkDraft } from '../wizard/check-draft.js';
import { messageFor, type Draft } from '../wizard/draft.js';
import { suggestCidr } from '../wizard/suggest.js';
import { Form } from './components/Form.js';
import { Title } from './components/Title.js';
import type { ScreenProps } from './types.js';

export function Network({ draft, catalog, step, onSubmit, onBack }: ScreenProps) {
  const n = draft.network ?? {};
  const [pod, setPod] = useState(String(n.podCIDR ?? DEFAULTS.network.podCIDR));
  const [svc, setSvc] = useState(String(n.serviceCIDR ?? DEFAULTS.network.serviceCIDR));
  const [proxy, setProxy] = useState(String(n.proxyMode ?? DEFAULTS.network.proxyMode));
  const next: Draft = {
    ...draft,
    network: { ...n, podCIDR: pod.trim(), serviceCIDR: svc.trim(), cni: 'calico', proxyMode: proxy },
  };
  const problems = checkDraft(next, catalog).problems;
  const withSuggestion = (msg: string | undefined, kind: 'pod' | 'service') => {
    if (!msg) return undefined;
    const s = suggestCidr(next, kind, kind === 'pod' ? svc : pod);
    return s && /overlap|contains|room/.test(msg) ? `${msg}. Try ${s}` : msg;
  };
  return (
    <>
      <Title
        step={step}
        title="Network"
        help="Pods and services get their own ranges; they must not overlap each other or the hosts."
      />
      <Form
        fields={[
          {
            kind: 'text',
            key: 'pod',
            label: 'Pod CIDR',
            value: pod,
            onChange: setPod,
            hint: 'Calico uses it as CALICO_IPV4POOL_CIDR; room for a /24 per node',
            error: withSuggestion(messageFor(problems, 'network.podCIDR'), 'pod'),
          },
          {
            kind: 'text',
            key: 'svc',
            label: 'Service CIDR',
            value: svc,
            onChange: setSvc,
            hint: 'at most /12',
            error: withSuggestion(messageFor(problems, 'network.serviceCIDR'), 'service'),
          },
          {
            kind: 'choice',
            key: 'cni',
            label: 'CNI',
            value: 'calico',
            options: [{ value: 'calico', label: 'Calico' }],
            onChange: () => undefined,
          },
          {
            kind: 'choice',
            key: 'proxy',
            label: 'kube-proxy mode',
            value: proxy,
            options: [
              { value: 'nftables', label: 'nftables (the default; GA since 1.33)' },
              { value: 'ipvs', label: 'ipvs (the seed’s; deprecated)' },
              { value: 'iptables', label: 'iptables' },
            ],
            onChange: setProxy,
            hint:
              proxy === 'ipvs'
                ? 'IPVS is deprecated: kubeadm warns about it from 1.35 and it will be removed; nftables does the same job'
                : '',
          },
        ]}
        onSubmit={() => onSubmit(next)}
        onBack={onBack}
      />
    </>
  );
}
