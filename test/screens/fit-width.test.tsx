import { describe, expect, it } from 'vitest';
import { Box, Text } from 'ink';
import { render } from 'ink-testing-library';
import { fitLines, fitWidth } from '../../src/text/fit.js';
import { expandTabs } from '../../src/text/terminal.js';
import { displayWidth } from '../helpers/terminal-width.js';

// Host output in any script: CJK (two columns), emoji, combining marks, tabs.
const samples = [
  `失败：${'无法连接到 API 服务器 '.repeat(20)}`,
  `E1201 ${'x'.repeat(300)}`,
  `ok ${'🚀'.repeat(70)}`,
  `Café${'e\u0301'.repeat(120)}`,
  `\t--discovery-token-ca-cert-hash sha256:${'ab'.repeat(46)}`,
  `表\t格\t${'列'.repeat(60)}`,
];

describe('fitWidth', () => {
  it('never gives a line wider than asked, and keeps all but the last column when it cuts', () => {
    for (const s of samples)
      for (let columns = 1; columns <= 120; columns++) {
        const line = expandTabs(s);
        const cut = fitWidth(line, columns);
        expect(displayWidth(cut), `${columns} columns: ${cut}`).toBeLessThanOrEqual(columns);
        if (cut !== line) {
          expect(cut.endsWith('…')).toBe(true);
          // a two-column character at the cut may leave one column free, never more
          expect(displayWidth(cut)).toBeGreaterThanOrEqual(columns - 1);
        }
      }
  });

  it('leaves a line that fits as it is', () => {
    expect(fitWidth('失败：x', 7)).toBe('失败：x');
    expect(fitWidth('', 5)).toBe('');
  });

  it('keeps every line of an Ink frame within the terminal at any indent (Ink alone overshoots by one)', () => {
    for (const indent of ['', ' ', '  ', '   '])
      for (const s of samples) {
        const r = render(
          <Box flexDirection="column">
            <Text wrap="truncate-end">
              {indent}
              {fitWidth(expandTabs(s), 100 - indent.length)}
            </Text>
          </Box>,
        );
        const line = r.lastFrame()!.split('\n')[0]!;
        r.unmount();
        expect(displayWidth(line), `indent ${indent.length}: ${line}`).toBeLessThanOrEqual(100);
      }
  });
});

describe('expandTabs', () => {
  it('moves to the next stop of 8 by terminal columns, counting wide characters as two', () => {
    expect(expandTabs('表\tx')).toBe('表      x');
    expect(displayWidth(expandTabs('表格\t列'))).toBe(10);
  });
});

describe('fitLines', () => {
  it('lays words by terminal columns and marks a cut', () => {
    const lines = fitLines('无法连接 到 API 服务器 '.repeat(10), 20, 2);
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(displayWidth(l)).toBeLessThanOrEqual(20);
    expect(lines[1]!.endsWith('…')).toBe(true);
  });
});
