// Hostile and broken YAML: every case is an InputError with a clear message, never a crash.
import { describe, expect, it } from 'vitest';
import { parseAnswersText } from '../../src/answers/load.js';
import { InputError, type InputProblem } from '../../src/errors.js';
import { catalog } from '../helpers/answers.js';

function problems(text: string | Buffer): InputProblem[] {
  try {
    parseAnswersText(typeof text === 'string' ? text : (text as unknown as string), 'input.yaml', catalog);
  } catch (e) {
    if (e instanceof InputError) return e.problems;
    throw e;
  }
  throw new Error('expected the input to be refused');
}

const SEED_HEAD = `apiVersion: k8sha-wizard/v1
cluster:
  name: seed
hosts:
  - { name: master01, address: 172.16.100.100, role: control-plane }
`;

describe('YAML input', () => {
  it('reports a syntax error with line and column', () => {
    const p = problems('apiVersion: k8sha-wizard/v1\ncluster:\n  name: [unclosed\nhosts: []\n');
    expect(p[0]!.message).toMatch(/YAML syntax/);
    expect(p[0]!.line).toBeGreaterThanOrEqual(3);
  });

  it('points schema errors at the line and column of the value', () => {
    const p = problems(`${SEED_HEAD}  - { name: worker01, address: 10.0.0.300, role: worker }\n`);
    expect(p).toContainEqual(expect.objectContaining({ path: 'hosts[1].address', line: 6, col: 32 }));
  });

  it('points unknown keys at the key itself', () => {
    const p = problems(`${SEED_HEAD}netwrok:\n  podCIDR: 10.244.0.0/16\n`);
    expect(p).toContainEqual(
      expect.objectContaining({
        path: 'netwrok',
        line: 6,
        col: 1,
        message: expect.stringMatching(/unknown key "netwrok"/),
      }),
    );
  });

  it('refuses duplicate keys instead of silently taking the last one', () => {
    expect(problems(`${SEED_HEAD}cluster:\n  name: other\n`)[0]!.message).toMatch(/unique|duplicate/i);
  });

  it('refuses alias bombs', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 10; i++)
      bomb.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(',')}]`,
      );
    const p = problems(bomb.join('\n'));
    expect(p[0]!.message).toMatch(/alias|resource exhaustion/i);
  });

  it('refuses input over 1 MiB', () => {
    const p = problems(`${SEED_HEAD}# ${'x'.repeat(1024 * 1024)}\n`);
    expect(p[0]!.message).toMatch(/1 MiB/);
  });

  it('refuses binary garbage and invalid UTF-8', () => {
    expect(problems(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3]))[0]!.message).toMatch(/NUL bytes/);
    expect(problems(Buffer.from([0x61, 0x3a, 0x20, 0xff, 0xfe, 0x0a]))[0]!.message).toMatch(/UTF-8/);
  });

  it('refuses a document that is not a mapping', () => {
    expect(problems('- just\n- a list\n')[0]!.message).toMatch(/mapping/);
    expect(problems('')[0]!.message).toMatch(/mapping/);
  });

  it('reports every problem of a file at once', () => {
    const p = problems(
      `apiVersion: nope\ncluster:\n  name: BAD\nhosts:\n  - { name: m1, address: 1.2.3.4, role: boss }\n`,
    );
    expect(p.map((x) => x.path)).toEqual(['apiVersion', 'cluster.name', 'hosts[0].role']);
    expect(p.map((x) => x.line)).toEqual([1, 3, 5]);
  });
});
