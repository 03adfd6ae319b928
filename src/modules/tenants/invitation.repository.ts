import { EntityRepository } from '@mikro-orm/postgresql';
import type { Invitation } from './entities/invitation.entity.js';

export class InvitationRepository extends EntityRepository<Invitation> {
  /**
   * Makes invitations of one email in one tenant run one at a time until the current
   * transaction ends (a transaction-level advisory lock), so concurrent invitations
   * converge on one open invitation instead of colliding on the unique index.
   */
  async lockEmail(tenantId: string, email: string): Promise<void> {
    const em = this.getEntityManager();
    await em
      .getConnection()
      .execute(
        'select pg_advisory_xact_lock(hashtextextended(?, 0))',
        [`invitation:${tenantId}:${email}`],
        'all',
        em.getTransactionContext(),
      );
  }
}
