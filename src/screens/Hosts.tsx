// Screen: the hosts table. a adds a row, enter edits it, d deletes it; problems show under each row
// (duplicate names or addresses, an even number of control planes, ...).
import { Box, Text, useInput } from 'ink';
import { useState } from 'react';
import { checkDraft } from '../wizard/check-draft.js';
import { messageFor, problemsAt, type Draft, type DraftHost } from '../wizard/draft.js';
import { Form, type Field } from './components/Form.js';
import { KeyHints } from './components/KeyHints.js';
import { Title } from './components/Title.js';
import { useTerminalSize } from './hooks.js';
import type { ScreenProps } from './types.js';

interface EditState {
  index: number;
  name: string;
  address: string;
  role: DraftHost['role'];
  user: string;
  port: string;
  iface: string;
}

function toEdit(h: DraftHost | undefined, index: number, rows: DraftHost[]): EditState {
  const cps = rows.filter((r) => r.role === 'control-plane').length;
  return {
    index,
    name: h?.name ?? '',
    address: h?.address ?? '',
    role: h?.role ?? (cps < 3 ? 'control-plane' : 'worker'),
    user: h?.ssh?.user ?? '',
    port: h?.ssh?.port !== undefined ? String(h.ssh.port) : '',
    iface: h?.interface ?? '',
  };
}

function fromEdit(e: EditState): DraftHost {
  const ssh: DraftHost['ssh'] = {};
  if (e.user) ssh.user = e.user;
  if (e.port) ssh.port = /^\d+$/.test(e.port) ? Number(e.port) : (e.port as unknown as number);
  return {
    name: e.name.trim(),
    address: e.address.trim(),
    role: e.role,
    ...(e.iface ? { interface: e.iface } : {}),
    ...(Object.keys(ssh).length ? { ssh } : {}),
  };
}

export function Hosts({ draft, catalog, step, onSubmit, onBack, clusterHosts }: ScreenProps) {
  const [rows, setRows] = useState<DraftHost[]>(draft.hosts);
  const [selected, setSelected] = useState(0);
  const [edit, setEdit] = useState<EditState | undefined>(
    rows.length === 0 ? toEdit(undefined, 0, rows) : undefined,
  );
  const [tried, setTried] = useState(false);
  const size = useTerminalSize();
  const withRows = (r: DraftHost[]): Draft => ({ ...draft, hosts: r });
  const problems = checkDraft(withRows(rows), catalog).problems;
  const hostProblems = problemsAt(problems, 'hosts');
  const rowProblems = (i: number) => hostProblems.filter((p) => p.path.startsWith(`hosts[${i}]`));
  const tableProblems = hostProblems.filter((p) => p.path === 'hosts');

  useInput(
    (input, key) => {
      if (key.escape) return onBack();
      if (key.upArrow) return setSelected((s) => Math.max(0, s - 1));
      if (key.downArrow) return setSelected((s) => Math.min(rows.length, s + 1));
      if (input === 'a') return setEdit(toEdit(undefined, rows.length, rows));
      if (input === 'd' && selected < rows.length) {
        const next = rows.filter((_, i) => i !== selected);
        setRows(next);
        setSelected((s) => Math.min(s, next.length));
        return;
      }
      if (key.return) {
        if (selected < rows.length) return setEdit(toEdit(rows[selected], selected, rows));
        setTried(true);
        if (hostProblems.length === 0 && rows.length > 0) onSubmit(withRows(rows));
      }
    },
    { isActive: !edit },
  );

  if (edit) {
    const candidate = [...rows];
    candidate[edit.index] = fromEdit(edit);
    const p = checkDraft(withRows(candidate), catalog).problems;
    const at = (f: string) => messageFor(p, `hosts[${edit.index}].${f}`);
    const set = (patch: Partial<EditState>) => setEdit({ ...edit, ...patch });
    return (
      <>
        <Title
          step={step}
          title={edit.index < rows.length ? `Edit host ${rows[edit.index]!.name}` : 'Add a host'}
          help="Name, address and role; the SSH and interface fields override the defaults for this host only."
        />
        <Form
          fields={
            [
              {
                kind: 'text',
                key: 'name',
                label: 'Name',
                value: edit.name,
                onChange: (v: string) => set({ name: v }),
                placeholder: 'e.g. master01',
                required: true,
                error: edit.name ? at('name') : undefined,
              },
              {
                kind: 'text',
                key: 'address',
                label: 'Address',
                value: edit.address,
                onChange: (v) => set({ address: v }),
                placeholder: 'e.g. 172.16.100.100',
                required: true,
                error: edit.address ? at('address') : undefined,
              },
              {
                kind: 'choice',
                key: 'role',
                label: 'Role',
                value: edit.role,
                options: [
                  { value: 'control-plane', label: 'control-plane' },
                  { value: 'worker', label: 'worker' },
                ],
                onChange: (v) => set({ role: v as DraftHost['role'] }),
              },
              {
                kind: 'text',
                key: 'user',
                label: 'SSH user (optional)',
                value: edit.user,
                onChange: (v) => set({ user: v }),
                placeholder: 'same as all hosts',
                error: at('ssh.user'),
              },
              {
                kind: 'text',
                key: 'port',
                label: 'SSH port (optional)',
                value: edit.port,
                onChange: (v) => set({ port: v }),
                placeholder: 'same as all hosts',
                error: at('ssh.port'),
              },
              {
                kind: 'text',
                key: 'iface',
                label: 'Interface (optional)',
                value: edit.iface,
                onChange: (v) => set({ iface: v }),
                placeholder: 'detected',
                hint: 'the NIC that carries the address; detected when empty',
                error: at('interface'),
              },
            ] satisfies Field[]
          }
          onSubmit={() => {
            if (!edit.name || !edit.address) return;
            setRows(candidate);
            setSelected(edit.index);
            setEdit(undefined);
          }}
          onBack={() => setEdit(undefined)}
        />
      </>
    );
  }

  const cps = rows.filter((r) => r.role === 'control-plane').length;
  // On an installed cluster: which rows join on the next apply, and which members the list lost
  // (apply leaves those alone; only a removal takes a node out).
  const isNew = (name: string) => !!clusterHosts && !clusterHosts.includes(name);
  const departing = (clusterHosts ?? []).filter((n) => !rows.some((r) => r.name === n));
  // Long host lists scroll around the selection, so the screen never outgrows the terminal.
  const room = Math.max(3, size.rows - 10 - tableProblems.length * 2 - (departing.length ? 2 : 0));
  const first =
    rows.length > room ? Math.min(Math.max(0, selected - Math.floor(room / 2)), rows.length - room) : 0;
  const visible = rows.slice(first, first + room);
  return (
    <>
      <Title
        step={step}
        title="Hosts"
        help={`${rows.length} host(s): ${cps} control plane(s), ${rows.length - cps} worker(s). Use 1, 3 or 5 control planes.`}
      />
      <Box flexDirection="column">
        <Text dimColor>
          {'  '}
          {'NAME'.padEnd(16)}
          {'ADDRESS'.padEnd(18)}
          {'ROLE'.padEnd(15)}OVERRIDES
        </Text>
        {first > 0 ? (
          <Text dimColor>
            {'  '}↑ {first} more
          </Text>
        ) : null}
        {visible.map((h, vi) => {
          const i = first + vi;
          const sel = i === selected;
          const extra = [
            isNew(h.name) ? '+ new: joins on apply' : '',
            h.ssh?.user ? `user ${h.ssh.user}` : '',
            h.ssh?.port ? `port ${h.ssh.port}` : '',
            h.interface ? `if ${h.interface}` : '',
          ]
            .filter(Boolean)
            .join(', ');
          return (
            <Box key={`${i}-${h.name}`} flexDirection="column">
              <Text color={sel ? 'cyan' : undefined}>
                {sel ? '› ' : '  '}
                {h.name.padEnd(16)}
                {h.address.padEnd(18)}
                {h.role.padEnd(15)}
                {extra}
              </Text>
              {rowProblems(i).map((p) => (
                <Text key={p.path + p.message} color="red">
                  {'    '}✗ {p.message}
                </Text>
              ))}
            </Box>
          );
        })}
        {first + visible.length < rows.length ? (
          <Text dimColor>
            {'  '}↓ {rows.length - first - visible.length} more
          </Text>
        ) : null}
        <Text color={selected === rows.length ? 'cyan' : undefined} bold={selected === rows.length}>
          {selected === rows.length ? '› ' : '  '}Continue →
        </Text>
        {departing.length ? (
          <Text color="yellow" wrap="truncate-end">
            ! In the cluster but not in this list: {departing.join(', ')}. Apply leaves{' '}
            {departing.length === 1 ? 'it' : 'them'} running; to take a node out, use Remove a node
            (k8sha-wizard remove --node NAME).
          </Text>
        ) : null}
        {tableProblems.map((p) => (
          <Text key={p.message} color="red">
            ✗ {p.message}
          </Text>
        ))}
        {tried && rows.length === 0 ? <Text color="red">✗ add at least one host (a)</Text> : null}
        {tried && hostProblems.length > 0 ? (
          <Text color="red">Fix the problems above to continue.</Text>
        ) : null}
      </Box>
      <KeyHints
        keys={[
          ['↑/↓', 'select'],
          ['a', 'add'],
          ['enter', 'edit / continue'],
          ['d', 'delete'],
          ['esc', 'back'],
          ['ctrl-c', 'save & quit'],
        ]}
      />
    </>
  );
}
