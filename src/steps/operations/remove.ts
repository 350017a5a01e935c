// Take one node out of a running cluster: refuse what must not happen, drain it, remove its etcd
// member, reset the host (kubelet stopped), delete its Node, tell the remaining load balancers (one
// at a time). The
// engine runs with the answers as they will be (without the node) and the node as departing; a dead
// node may be unreachable: the cluster side is done and its reset is skipped, said so.
import type { Operation } from '../engine/operation.js';
import { loadBalancerUpdate } from '../load-balancer.js';
import { loadBalancerConsistent } from '../vip-ready.js';
import { deleteNode, drainNode, removalCheck, removeEtcdMemberStep } from '../removal.js';
import { resetDepartingHost } from '../reset-host.js';
import { REMOVE_COLUMNS } from './columns.js';

export const remove: Operation = {
  id: 'remove',
  title: 'Remove a node',
  columns: REMOVE_COLUMNS,
  stages: [
    { kind: 'step', step: removalCheck },
    { kind: 'step', step: drainNode },
    { kind: 'step', step: removeEtcdMemberStep },
    // Before its Node goes: a kubelet that still runs registers its Node again.
    { kind: 'step', step: resetDepartingHost },
    { kind: 'step', step: deleteNode },
    { kind: 'step', step: loadBalancerUpdate },
    { kind: 'step', step: loadBalancerConsistent },
  ],
  changes: true,
  // A dead node is removed through the others; other hosts that are down are reported and left
  // alone (the removal check decides whether etcd can afford it; their load balancers catch up when
  // apply runs again).
  mayBeUnreachable: () => true,
};
