import { SqlRepository } from '../../database/typed-sql.js';
import type { Invitation } from './entities/invitation.entity.js';

export class InvitationRepository extends SqlRepository<Invitation> {
  /**
   * Makes invitations of one email in one tenant run one at a time until the current
   * transaction ends (a transaction-level advisory lock), so concurrent invitations
   * converge on one open invitation instead of colliding on the unique index.
   */
  async lockEmail(tenantId: string, email: string): Promise<void> {
    await this.sql()
      .selectNoFrom((eb) =>
        eb
          .fn<null>('pg_advisory_xact_lock', [
            eb.fn<string>('hashtextextended', [eb.val(`invitation:${tenantId}:${email}`), eb.lit(0)]),
          ])
          .as('locked'),
      )
      .execute();
  }
}
