// Screen: a file browser over exactly what will be written: pick a node, pick a file, scroll it.
// The plan (which steps run on which node) is here too. Secret values are hidden unless asked.
import { Box, Text, useInput } from 'ink';
import SelectInput from 'ink-select-input';
import { Item } from './components/Item.js';
import { useMemo, useState } from 'react';
import type { Answers } from '../answers/schema.js';
import type { RenderedFile, RenderResult, Secrets } from '../render/types.js';
import { secretValues } from '../secrets/generate.js';
import { KeyHints, MENU_KEYS } from './components/KeyHints.js';
import { Title } from './components/Title.js';
import { useTerminalSize } from './hooks.js';

export interface PlanRow {
  step: string;
  title: string;
  nodes: string[];
}

type View =
  | { level: 'nodes' }
  | { level: 'files'; node: string }
  | { level: 'content'; node: string; file: RenderedFile }
  | { level: 'plan' };

function mask(text: string, secrets: Secrets): string {
  let out = text;
  for (const v of secretValues(secrets)) out = out.split(v).join('••••••••');
  return out;
}

export function Preview({
  answers,
  rendered,
  plan,
  secrets,
  step,
  onBack,
  onContinue,
}: {
  answers: Answers;
  rendered: RenderResult;
  plan: PlanRow[];
  secrets: Secrets;
  step: string;
  onBack: () => void;
  onContinue: () => void;
}) {
  const [view, setView] = useState<View>({ level: 'nodes' });
  const [scroll, setScroll] = useState(0);
  const [reveal, setReveal] = useState(false);
  const { rows } = useTerminalSize();
  const page = Math.max(5, rows - 8);
  const lines = useMemo(() => {
    if (view.level === 'content')
      return (reveal ? view.file.content : mask(view.file.content, secrets)).split('\n');
    if (view.level === 'plan')
      return plan.flatMap((p) => [`${p.title} (${p.step})`, `    on ${p.nodes.join(', ')}`]);
    return [];
  }, [view, reveal, secrets, plan]);

  useInput((input, key) => {
    if (key.escape) {
      setScroll(0);
      if (view.level === 'nodes') return onBack();
      if (view.level === 'content') return setView({ level: 'files', node: view.node });
      return setView({ level: 'nodes' });
    }
    if (view.level === 'content' || view.level === 'plan') {
      const max = Math.max(0, lines.length - page);
      if (key.upArrow) setScroll((s) => Math.max(0, s - 1));
      if (key.downArrow) setScroll((s) => Math.min(max, s + 1));
      if (key.pageUp) setScroll((s) => Math.max(0, s - page));
      if (key.pageDown || input === ' ') setScroll((s) => Math.min(max, s + page));
      if (input === 's' && view.level === 'content') setReveal((r) => !r);
    }
  });

  if (view.level === 'nodes') {
    const items = [
      { label: 'Continue: check the hosts (preflight)', value: '__continue' },
      { label: 'The plan: which steps run on which node', value: '__plan' },
      ...answers.hosts.map((h) => ({
        label: `${h.name}  (${h.role}, ${rendered.nodes[h.name]?.length ?? 0} files)`,
        value: h.name,
      })),
      { label: `cluster-level files (${rendered.cluster.length})`, value: '__cluster' },
    ];
    return (
      <>
        <Title
          step={step}
          title="Preview"
          help="Exactly the files the install writes. Pick a node to browse its files."
        />
        {rendered.notes.map((n) => (
          <Text key={n} dimColor wrap="truncate-end">
            note: {n}
          </Text>
        ))}
        <SelectInput
          itemComponent={Item}
          items={items}
          limit={Math.max(4, rows - 8 - rendered.notes.length)}
          onSelect={(i) => {
            if (i.value === '__continue') return onContinue();
            if (i.value === '__plan') return setView({ level: 'plan' });
            setView({ level: 'files', node: i.value });
          }}
        />
        <KeyHints keys={MENU_KEYS} />
      </>
    );
  }
  if (view.level === 'files') {
    const files = view.node === '__cluster' ? rendered.cluster : (rendered.nodes[view.node] ?? []);
    return (
      <>
        <Title
          step={step}
          title={`Preview · ${view.node === '__cluster' ? 'cluster-level files' : view.node}`}
          help="Pick a file to read it."
        />
        <SelectInput
          itemComponent={Item}
          items={files.map((f, i) => ({
            key: String(i),
            label: `${f.path.padEnd(44)} ${f.mode.toString(8).padStart(4, '0')}${f.secret ? ' secret' : ''}  ${f.purpose}`,
            value: String(i),
          }))}
          limit={Math.max(4, rows - 7)}
          onSelect={(i) => {
            setScroll(0);
            setView({ level: 'content', node: view.node, file: files[Number(i.value)]! });
          }}
        />
        <KeyHints
          keys={[
            ['↑/↓', 'select'],
            ['enter', 'read'],
            ['esc', 'nodes'],
            ['ctrl-c', 'save & quit'],
          ]}
        />
      </>
    );
  }
  const title =
    view.level === 'plan'
      ? 'Preview · plan'
      : `Preview · ${view.node === '__cluster' ? '_cluster' : view.node}:${view.file.path}`;
  return (
    <>
      <Title
        step={step}
        title={title}
        help={
          view.level === 'content'
            ? view.file.purpose
            : 'Steps in order; per-node steps run on the nodes in parallel.'
        }
      />
      <Box flexDirection="column">
        {lines.slice(scroll, scroll + page).map((l, i) => (
          <Text key={scroll + i} wrap="truncate-end">
            {l || ' '}
          </Text>
        ))}
      </Box>
      <Text dimColor>
        lines {Math.min(lines.length, scroll + 1)}–{Math.min(lines.length, scroll + page)} of {lines.length}
        {view.level === 'content' && view.file.secret
          ? reveal
            ? ' · secrets shown'
            : ' · secret values hidden'
          : ''}
      </Text>
      <KeyHints
        keys={[
          ['↑/↓', 'scroll'],
          ['pgup/pgdn', 'page'],
          ...(view.level === 'content' && view.file.secret
            ? ([['s', reveal ? 'hide secrets' : 'show secrets']] as [string, string][])
            : []),
          ['esc', 'back'],
        ]}
      />
    </>
  );
}
