import type { EntityManager } from '@mikro-orm/postgresql';
import type { TenantMembership } from '../../tenants/tenant-membership.js';
import type { TaskState } from './project-state.repository.js';

/**
 * Raised inside the transaction that deletes a state with `moveTo`: the tasks in state
 * `fromKey` of the project must move to `to`. Handlers (the tasks module moves them, each
 * with its activity, event and new version) write through `em`, in that transaction, after
 * the project and the target column are locked (see the README's lock order).
 */
export class StateTasksMustMove {
  static readonly event = 'state.tasks-must-move';

  constructor(
    readonly em: EntityManager,
    readonly caller: TenantMembership,
    readonly projectId: string,
    readonly fromKey: string,
    readonly to: TaskState,
  ) {}
}
