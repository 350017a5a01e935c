// Screen: the live install grid. One row per node, one column per phase; a footer with the time,
// what runs now and the selected node's log tail. A failed step offers Retry, Skip (when allowed),
// Abort or the full log, and what to do when the cause is known. Rendering is throttled. Everything is
// one frame that fits the terminal (title on the first line): the latest notices sit under the grid,
// all of them on the Done screen.
import { readFileSync } from 'node:fs';
import { Box, Text, useInput } from 'ink';
import SelectInput from 'ink-select-input';
import { Item } from './components/Item.js';
import { useEffect, useRef, useState } from 'react';
import type { RunOutcome } from '../steps/engine/engine.js';
import type { Decision, EngineListener, FailureInfo } from '../steps/engine/events.js';
import type { InstallHandle } from '../steps/session.js';
import { KeyHints } from './components/KeyHints.js';
import { spinnerFrame } from './components/Spinner.js';
import { Title } from './components/Title.js';
import { useTerminalSize } from './hooks.js';
import type { Column } from '../steps/engine/operation.js';
import { InstallModel, type CellState } from './install-model.js';
import { fitLines, fitWidth } from '../text/fit.js';
import { expandTabs } from '../text/terminal.js';

const RENDER_EVERY_MS = 100;
/** The latest notices shown under the grid (the Done screen lists them all). */
const NOTICE_ROWS = 2;

function symbol(state: CellState, retries: number, tick: number): { text: string; color?: string } {
  const r = retries ? `↻${retries}` : '';
  switch (state) {
    case 'none':
      return { text: '' };
    case 'waiting':
      return { text: '·', color: 'gray' };
    case 'running':
      return { text: `${spinnerFrame(tick)}${r}`, color: 'yellow' };
    case 'done':
      return { text: `✓${r}`, color: 'green' };
    case 'failed':
      return { text: `✗${r}`, color: 'red' };
    case 'skipped':
      return { text: 'skipped', color: 'gray' };
  }
}

function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

export interface InstallProps {
  step: string;
  cluster: string;
  /** The operation's grid columns, shown before its first event. */
  columns: Column[];
  start: (listener: EngineListener, decide: (f: FailureInfo) => Promise<Decision>) => InstallHandle;
  onHandle?: (h: InstallHandle) => void;
  onDone: (outcome: RunOutcome, model: InstallModel) => void;
  /** The title (day-2 operations name themselves); "Install <cluster>" by default. */
  title?: string;
}

export function Install({
  step,
  cluster,
  columns: gridColumns,
  start,
  onHandle,
  onDone,
  title,
}: InstallProps) {
  const model = useRef(new InstallModel(gridColumns)).current;
  const [, setRendered] = useState(0);
  const [tick, setTick] = useState(0);
  const [selected, setSelected] = useState(0);
  const [pending, setPending] = useState<
    { failure: FailureInfo; resolve: (d: Decision) => void } | undefined
  >();
  const [viewLog, setViewLog] = useState<string[] | undefined>();
  const [logScroll, setLogScroll] = useState(0);
  const { rows, columns } = useTerminalSize();
  const lastVersion = useRef(-1);

  useEffect(() => {
    const handle = start(
      (e) => model.apply(e),
      (failure) =>
        new Promise<Decision>((resolve) => {
          // The failed node in view: the grid's window follows the selection.
          const at = model.nodes.findIndex((n) => n.name === failure.node);
          if (at >= 0) setSelected(at);
          setPending({ failure, resolve });
        }),
    );
    onHandle?.(handle);
    void handle.done.then((outcome) => onDone(outcome, model));
    // Throttled rendering: many events, at most one frame per interval.
    const timer = setInterval(() => {
      setTick((t) => t + 1);
      if (model.version !== lastVersion.current) {
        lastVersion.current = model.version;
        setRendered(model.version);
      }
    }, RENDER_EVERY_MS);
    return () => clearInterval(timer);
  }, []);

  const nodes = model.nodes;
  useInput((input, key) => {
    if (viewLog) {
      const page = Math.max(5, rows - 6);
      if (key.escape || input === 'q') return setViewLog(undefined);
      if (key.upArrow) setLogScroll((s) => Math.max(0, s - 1));
      if (key.downArrow) setLogScroll((s) => Math.min(Math.max(0, viewLog.length - page), s + 1));
      if (key.pageUp) setLogScroll((s) => Math.max(0, s - page));
      if (key.pageDown) setLogScroll((s) => Math.min(Math.max(0, viewLog.length - page), s + page));
      return;
    }
    if (pending) return;
    if (key.upArrow) setSelected((s) => Math.max(0, s - 1));
    if (key.downArrow) setSelected((s) => Math.min(nodes.length - 1, s + 1));
  });

  if (viewLog) {
    const page = Math.max(5, rows - 6);
    return (
      <>
        <Title step={step} title={`Log of ${pending?.failure.node ?? ''}`} help={pending?.failure.logPath} />
        {viewLog.slice(logScroll, logScroll + page).map((l, i) => (
          <Text key={logScroll + i} wrap="truncate-end">
            {fitWidth(expandTabs(l), columns) || ' '}
          </Text>
        ))}
        <KeyHints
          keys={[
            ['↑/↓', 'scroll'],
            ['pgup/pgdn', 'page'],
            ['esc', 'back to the choice'],
          ]}
        />
      </>
    );
  }

  const nameWidth = Math.max(8, ...nodes.map((n) => n.name.length)) + 1;
  const colWidth = Math.max(6, Math.min(11, Math.floor((columns - nameWidth - 1) / model.columns.length)));
  // Rows around the grid, counted from what is drawn below (every line there is cut, never wrapped):
  // title, help and its margin, the header; then the margin, the clock line, the failure box or the
  // notices and log tail, and the key hints with their margin. The frame must never be taller than
  // the terminal, or it scrolls and every redraw leaves a copy of the title behind.
  const failure = pending?.failure;
  const inBox = Math.max(10, columns - 4); // border and padding on each side
  const fix = failure?.hint ? fitLines(`→ ${failure.hint}`, inBox, 2) : [];
  const stderrShown = failure ? failure.stderrTail.slice(fix.length ? -2 : -3) : [];
  const notices = pending ? [] : model.notices.slice(-NOTICE_ROWS);
  const boxRows = failure
    ? 2 + 2 + (failure.command ? 1 : 0) + stderrShown.length + (failure.cause ? 1 : 0) + fix.length + 4
    : 0;
  const aroundRows = 4 + 2 + (pending ? boxRows : notices.length + 5) + 2;
  // One node and the "+N more" line at the least.
  const room = Math.max(2, rows - aroundRows);
  const windowSize = nodes.length > room ? room - 1 : nodes.length;
  const first = Math.min(
    Math.max(0, selected - Math.floor(windowSize / 2)),
    Math.max(0, nodes.length - windowSize),
  );
  const shown = nodes.slice(first, first + windowSize);
  const hidden = nodes.filter((_, i) => i < first || i >= first + windowSize);
  const hiddenDone = hidden.filter((n) => model.nodeDone(n.name)).length;
  const runningNow = [...model.running.entries()].map(([k, title]) => `${title} on ${k.split('/')[0]}`);
  const sel = nodes[selected];
  const tail = sel ? (model.logs.get(sel.name) ?? []).slice(-4) : [];
  return (
    <>
      <Title
        step={step}
        title={title ?? `Install ${cluster}`}
        helpOneLine
        help={
          model.runId
            ? `run ${model.runId}${model.resumed ? ' (resumed)' : ''} · logs in ${model.logDir}`
            : 'starting…'
        }
      />
      <Text bold>
        {' '}
        {'NODE'.padEnd(nameWidth)}
        {model.columns.map((c) => c.label.padEnd(colWidth)).join('')}
      </Text>
      {shown.map((n) => {
        const isSel = sel?.name === n.name;
        return (
          <Text key={n.name}>
            <Text color={isSel ? 'cyan' : undefined}>{isSel ? '›' : ' '}</Text>
            <Text bold={isSel}>{n.name.padEnd(nameWidth)}</Text>
            {model.columns.map((_, ci) => {
              const cell = model.state(n.name, ci);
              const s = symbol(cell.state, cell.retries, tick);
              return (
                <Text key={ci} {...(s.color ? { color: s.color } : {})}>
                  {s.text.padEnd(colWidth)}
                </Text>
              );
            })}
          </Text>
        );
      })}
      {hidden.length ? (
        <Text dimColor>
          {'  '}+{hidden.length} more node(s): {hiddenDone} done, {hidden.length - hiddenDone} in progress
          (↑/↓ to scroll)
        </Text>
      ) : null}
      <Box marginTop={1} flexDirection="column">
        <Text wrap="truncate-end">
          <Text bold>{clock(Date.now() - model.startedAt)}</Text>
          {runningNow.length
            ? ` · now: ${runningNow.slice(0, 2).join(', ')}${runningNow.length > 2 ? ` (+${runningNow.length - 2} more)` : ''}`
            : model.finished
              ? ' · finished'
              : ''}
        </Text>
        {pending ? (
          <Box flexDirection="column" borderStyle="round" borderColor="red" paddingX={1}>
            <Text color="red" bold wrap="truncate-end">
              ✗ {pending.failure.stepTitle} failed on {pending.failure.node} (attempt{' '}
              {pending.failure.attempts})
            </Text>
            <Text wrap="truncate-end">
              {fitWidth(expandTabs(pending.failure.message.split('\n')[0]!), inBox)}
            </Text>
            {pending.failure.command ? (
              <Text dimColor wrap="truncate-end">
                {fitWidth(
                  `$ ${expandTabs(pending.failure.command)} → exit ${pending.failure.exitCode}`,
                  inBox,
                )}
              </Text>
            ) : null}
            {stderrShown.map((l, i) => (
              <Text key={i} dimColor wrap="truncate-end">
                {fitWidth(expandTabs(l), inBox)}
              </Text>
            ))}
            {pending.failure.cause ? (
              <Text color="yellow" wrap="truncate-end">
                {fitWidth(expandTabs(pending.failure.cause.split('\n')[0]!), inBox)}
              </Text>
            ) : null}
            {fix.map((l, i) => (
              <Text key={`fix${i}`} color="green" wrap="truncate-end">
                {l}
              </Text>
            ))}
            <SelectInput
              itemComponent={Item}
              items={[
                { label: 'Retry', value: 'retry' },
                ...(pending.failure.skippable ? [{ label: 'Skip this step', value: 'skip' }] : []),
                { label: 'Abort (resume later)', value: 'abort' },
                { label: 'View the full log', value: 'log' },
              ]}
              onSelect={(i) => {
                if (i.value === 'log') {
                  let text = '(no log yet)';
                  try {
                    text = readFileSync(pending.failure.logPath, 'utf8');
                  } catch {
                    // the run may not have written it yet
                  }
                  const lines = text.split('\n');
                  setLogScroll(Math.max(0, lines.length - (rows - 6)));
                  setViewLog(lines);
                  return;
                }
                const { resolve } = pending;
                setPending(undefined);
                resolve(i.value as Decision);
              }}
            />
          </Box>
        ) : (
          <>
            {notices.map((n, i) => (
              <Text key={`notice${i}`} color="cyan" wrap="truncate-end">
                {fitWidth(`• ${expandTabs(n)}`, columns)}
              </Text>
            ))}
            <Text dimColor>log of {sel?.name ?? '-'}:</Text>
            {tail.map((l, i) => (
              <Text key={i} dimColor wrap="truncate-end">
                {'  '}
                {fitWidth(expandTabs(l), columns - 2)}
              </Text>
            ))}
          </>
        )}
      </Box>
      <KeyHints
        keys={
          pending
            ? [
                ['↑/↓', 'choose'],
                ['enter', 'confirm'],
              ]
            : [
                ['↑/↓', 'select node'],
                ['ctrl-c', 'stop (resume later)'],
              ]
        }
      />
    </>
  );
}
