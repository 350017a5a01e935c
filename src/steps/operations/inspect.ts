// Connect, gather facts and run preflight, and change nothing: the wizard's Preflight screen.
import type { Operation } from '../engine/operation.js';

export const inspect: Operation = {
  id: 'inspect',
  title: 'Preflight',
  columns: [{ id: 'facts', label: 'facts', phases: ['facts'] }],
  stages: [],
  changes: false,
};
