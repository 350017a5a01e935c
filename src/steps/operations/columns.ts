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

export const REMOVE_COLUMNS: Column[] = [
  { id: 'drain', label: 'check/drain', phases: ['facts', 'drain'] },
  { id: 'etcd', label: 'etcd/node', phases: ['etcd'] },
  { id: 'lb', label: 'LB', phases: ['lb'] },
  { id: 'reset', label: 'reset', phases: ['reset'] },
];

export const RESET_COLUMNS: Column[] = [
  { id: 'facts', label: 'connect', phases: ['facts'] },
  { id: 'reset', label: 'reset', phases: ['reset'] },
];

export const STATUS_COLUMNS: Column[] = [
  { id: 'facts', label: 'connect', phases: ['facts'] },
  { id: 'status', label: 'status', phases: ['status'] },
];
