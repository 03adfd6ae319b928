import { sql } from 'kysely';
import { precompiled, SqlRepository } from '../../database/typed-sql.js';
import { parseKeysetPosition } from '../../common/pagination/keyset-position.js';
import { InvalidCursor, type FetchedWindow, type PageWindow } from '../../common/pagination/pagination.service.js';
import { sqlOf } from '../../database/typed-sql.js';
import { MemberDto } from './dto/member.dto.js';
import type { Membership } from './entities/membership.entity.js';
import type { Role } from './roles.js';

/** Compiled once: the guard runs it for every tenant request. */
const ROLE_OF = precompiled(2, (db, tenantId = '', userId = '') =>
  db.selectFrom('memberships').where('tenant_id', '=', tenantId).where('user_id', '=', userId).select('role'),
);

/** A page of a tenant's members, oldest first, from the start or after a cursor; compiled once. */
function memberPage(continued: boolean) {
  return precompiled(continued ? 4 : 2, (db, tenantId = '', limit = '', createdAt = '', id = '') =>
    db
      .selectFrom('memberships as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .where('m.tenant_id', '=', tenantId)
      .$if(continued, (query) =>
        query.where((eb) =>
          eb(
            eb.refTuple('m.created_at', 'm.id'),
            '>',
            eb.tuple(eb.cast<string>(eb.val(createdAt), 'timestamptz'), eb.cast<string>(eb.val(id), 'uuid')),
          ),
        ),
      )
      // The text of the timestamp, not a Date: the cursor keeps its microseconds.
      .select((eb) => [
        'm.id',
        'm.user_id',
        'u.name',
        'u.email',
        'm.role',
        eb.cast<string>('m.created_at', 'text').as('created_at'),
      ])
      .orderBy('m.created_at')
      .orderBy('m.id')
      .limit(sql<number>`${limit}::int`),
  );
}
const MEMBER_PAGE = memberPage(false);
const MEMBER_PAGE_AFTER = memberPage(true);

export class MembershipRepository extends SqlRepository<Membership> {
  /**
   * The user's role in the tenant, or null when they are not a member. Runs for every
   * tenant request (`MembershipGuard`): one index-only statement, no entity hydration.
   */
  async findRole(tenantId: string, userId: string): Promise<Role | null> {
    const { rows } = await ROLE_OF(this.sql(), tenantId, userId);
    return rows[0]?.role ?? null;
  }

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
    const limit = String(window.first + 1);
    let rows;
    if (after) {
      const [createdAt, id] = after;
      if (createdAt === undefined || id === undefined) throw new InvalidCursor();
      ({ rows } = await MEMBER_PAGE_AFTER(this.sql(), tenantId, limit, createdAt, id));
    } else {
      ({ rows } = await MEMBER_PAGE(this.sql(), tenantId, limit));
    }
    const items = rows.slice(0, window.first);
    const last = items.at(-1);
    return {
      items: items.map((row) => MemberDto.of(row.user_id, row.name, row.email, row.role, new Date(row.created_at))),
      hasNextPage: rows.length > window.first,
      endCursor: last ? JSON.stringify([last.created_at, last.id]) : null,
    };
  }
}
