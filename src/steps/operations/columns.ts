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

export const UPGRADE_COLUMNS: Column[] = [
  { id: 'check', label: 'check/backup', phases: ['facts', 'check', 'backup'] },
  { id: 'kubeadm', label: 'kubeadm', phases: ['kubeadm'] },
  { id: 'drain', label: 'drain', phases: ['drain'] },
  { id: 'kubelet', label: 'kubelet', phases: ['kubelet'] },
  { id: 'uncordon', label: 'uncordon', phases: ['uncordon', 'cni'] },
];

export const BACKUP_COLUMNS: Column[] = [
  { id: 'facts', label: 'connect', phases: ['facts'] },
  { id: 'backup', label: 'backup', phases: ['backup'] },
];

export const RESTORE_COLUMNS: Column[] = [
  { id: 'check', label: 'check', phases: ['facts', 'check'] },
  { id: 'stop', label: 'stop', phases: ['stop'] },
  { id: 'restore', label: 'restore', phases: ['restore'] },
  { id: 'start', label: 'start', phases: ['start', 'verify'] },
];
