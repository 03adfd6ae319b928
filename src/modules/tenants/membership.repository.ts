import { EntityRepository } from '@mikro-orm/postgresql';
import { parseKeysetPosition } from '../../common/pagination/keyset-position.js';
import { InvalidCursor, type FetchedWindow, type PageWindow } from '../../common/pagination/pagination.service.js';
import { sqlOf } from '../../database/typed-sql.js';
import { MemberDto } from './dto/member.dto.js';
import type { Membership } from './entities/membership.entity.js';
import type { Role } from './roles.js';

interface MemberRow {
  id: string;
  user_id: string;
  name: string;
  email: string;
  role: Role;
  // Raw SQL through MikroORM reads timestamps as PostgreSQL's text.
  created_at: string;
}

export class MembershipRepository extends EntityRepository<Membership> {
  /**
   * Locks the tenant's row `FOR NO KEY UPDATE` until the transaction ends: membership
   * changes of a tenant run one at a time, while rows that merely reference the tenant (a
   * new task, an activity entry) are written meanwhile. False when the tenant is gone.
   */
  async lockTenantMemberships(tenantId: string): Promise<boolean> {
    const row = await sqlOf(this.getEntityManager())
      .selectFrom('tenants')
      .where('id', '=', tenantId)
      .select('id')
      .forNoKeyUpdate()
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * One keyset page of a tenant's members, oldest first, read straight into `MemberDto`s:
   * every client polls this list, so it skips entity hydration (index on tenant, created_at, id).
   */
  async findMemberPage(tenantId: string, window: PageWindow): Promise<FetchedWindow<MemberDto>> {
    const after = window.after === undefined ? undefined : parseKeysetPosition(window.after, 2);
    // Signed by us but not ours to read: issued by an earlier version in another format.
    if (after === null) throw new InvalidCursor();
    const rows = await this.getEntityManager()
      .getConnection()
      .execute<MemberRow[]>(
        'select m.id, m.user_id, u.name, u.email, m.role, m.created_at::text as created_at ' +
          'from memberships m join users u on u.id = m.user_id where m.tenant_id = ? ' +
          (after ? 'and (m.created_at, m.id) > (?::timestamptz, ?::uuid) ' : '') +
          'order by m.created_at, m.id limit ?',
        [tenantId, ...(after ?? []), window.first + 1],
      );
    const items = rows.slice(0, window.first);
    const last = items.at(-1);
    return {
      items: items.map((row) => MemberDto.of(row.user_id, row.name, row.email, row.role, new Date(row.created_at))),
      hasNextPage: rows.length > window.first,
      endCursor: last ? JSON.stringify([last.created_at, last.id]) : null,
    };
  }
}
