import type { EntityManager } from '@mikro-orm/postgresql';
import type { TenantMembership } from './tenant-membership.js';

/**
 * Raised inside the transaction that removes a member, or makes them a viewer: from now on
 * they can hold no task. Handlers (the tasks module unassigns theirs) write through `em`,
 * in that transaction, after the membership row is locked (see the README's lock order).
 */
export class MemberCannotHoldTasks {
  static readonly event = 'member.cannot-hold-tasks';

  constructor(
    readonly em: EntityManager,
    readonly caller: TenantMembership,
    readonly userId: string,
  ) {}
}
