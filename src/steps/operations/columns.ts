// The live grid's columns per operation. Phases not named fall into the first column
// (the engine's opening — facts, preflight, locks — runs under phase 'facts').
import type { Column } from '../engine/operation.js';

export const INSTALL_COLUMNS: Column[] = [
  { id: 'prepare', label: 'prepare', phases: ['facts', 'prepare'] },
  { id: 'runtime', label: 'runtime', phases: ['runtime'] },
  { id: 'packages', label: 'packages', phases: ['packages'] },
  { id: 'lb', label: 'LB', phases: ['lb'] },
  { id: 'join', label: 'init/join', phases: ['init', 'join'] },
  { id: 'cni', label: 'CNI', phases: ['cni', 'addons'] },
  { id: 'verify', label: 'verify', phases: ['verify'] },
];
