// Screen: every answer on one page with a validation summary. Any section can be reopened; after
// editing it, the wizard comes back here.
import { Box, Text, useInput } from 'ink';
import SelectInput from 'ink-select-input';
import { Item } from './components/Item.js';
import { apiEndpointText, controlPlanes, resolvedVersion, workers } from '../answers/model.js';
import type { Answers } from '../answers/schema.js';
import { checkDraft } from '../wizard/check-draft.js';
import { KeyHints, MENU_KEYS } from './components/KeyHints.js';
import { Title } from './components/Title.js';
import type { ScreenProps } from './types.js';

export type Section = 'cluster' | 'hosts' | 'loadBalancer' | 'network' | 'versions' | 'ssh' | 'addons';

function summary(a: Answers, catalog: ScreenProps['catalog']): [string, string][] {
  const v = resolvedVersion(a, catalog);
  return [
    ['Cluster', `${a.cluster.name}, Kubernetes ${v.patch}`],
    [
      'Hosts',
      `${controlPlanes(a)
        .map((h) => `${h.name} ${h.address}`)
        .join(', ')}${
        workers(a).length
          ? `; workers ${workers(a)
              .map((h) => `${h.name} ${h.address}`)
              .join(', ')}`
          : ''
      }`,
    ],
    [
      'Load balancer',
      a.loadBalancer
        ? `${a.loadBalancer.mode === 'kube-vip' ? 'kube-vip' : 'haproxy + keepalived'}, VIP ${a.loadBalancer.vip}${a.loadBalancer.interface ? ` on ${a.loadBalancer.interface}` : ''} → ${apiEndpointText(a)}${a.loadBalancer.mode === 'kube-vip' ? '' : `, router id ${a.loadBalancer.virtualRouterId}`}`
        : `none (endpoint ${apiEndpointText(a)})`,
    ],
    [
      'Network',
      `pods ${a.network.podCIDR}, services ${a.network.serviceCIDR}, ${a.network.cni}, kube-proxy ${a.network.proxyMode}`,
    ],
    [
      'Versions',
      `containerd ${a.versions?.containerd ?? v.entry.containerd.version}, Calico ${a.versions?.calico ?? v.entry.calico.version}, mirror ${a.mirrorOverrides ? `${a.mirror} + custom URLs` : a.mirror}`,
    ],
    [
      'SSH',
      `${a.ssh.user}@<each host>:${a.ssh.port}${a.ssh.identityFile ? `, key ${a.ssh.identityFile}` : ''}${a.ssh.bastion ? `, through ${a.ssh.bastion.user ?? a.ssh.user}@${a.ssh.bastion.address}` : ''}`,
    ],
    ['Add-ons', `dashboard ${a.addons.dashboard}; certificate renewal ${a.system.certRenewal}`],
  ];
}

export function Review({
  draft,
  catalog,
  step,
  onBack,
  onEdit,
  onContinue,
}: Omit<ScreenProps, 'onSubmit'> & { onEdit: (s: Section) => void; onContinue: () => void }) {
  const check = checkDraft(draft, catalog);
  useInput((_i, key) => {
    if (key.escape) onBack();
  });
  const items = [
    ...(check.answers ? [{ label: 'Continue: preview the files', value: 'continue' }] : []),
    { label: 'Edit cluster', value: 'cluster' },
    { label: 'Edit hosts', value: 'hosts' },
    { label: 'Edit load balancer', value: 'loadBalancer' },
    { label: 'Edit network', value: 'network' },
    { label: 'Edit versions and mirrors', value: 'versions' },
    { label: 'Edit SSH access', value: 'ssh' },
    { label: 'Edit add-ons', value: 'addons' },
  ];
  return (
    <>
      <Title
        step={step}
        title="Review"
        help="Everything you answered. Pick a section to change it, or continue."
      />
      <Box flexDirection="column" marginBottom={1}>
        {check.answers ? (
          summary(check.answers, catalog).map(([k, v]) => (
            <Text key={k} wrap="truncate-end">
              <Text bold>{k.padEnd(14)}</Text>
              {v}
            </Text>
          ))
        ) : (
          <>
            <Text color="red">✗ {check.problems.length} problem(s) to fix before installing:</Text>
            {check.problems.slice(0, 8).map((p) => (
              <Text key={p.path + p.message} color="red" wrap="truncate-end">
                {'  '}
                {p.path}: {p.message}
              </Text>
            ))}
          </>
        )}
        {check.answers ? <Text color="green">✓ the answers are valid</Text> : null}
      </Box>
      <SelectInput
        itemComponent={Item}
        items={items}
        onSelect={(item) => (item.value === 'continue' ? onContinue() : onEdit(item.value as Section))}
      />
      <KeyHints keys={MENU_KEYS} />
    </>
  );
}
