import { sql } from 'kysely';
import { precompiled, SqlRepository } from '../../database/typed-sql.js';
import type { ApiToken } from './entities/api-token.entity.js';

/**
 * Compiled once: runs for every request made with a token. Revoked and expired tokens are
 * not found; a token deleted with its creator's membership is gone.
 */
const ACTIVE_BY_HASH = precompiled(1, (db, tokenHash = '') =>
  db
    .selectFrom('api_tokens')
    .where('token_hash', '=', tokenHash)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', sql<string>`now()`)
    .select((eb) => [
      'id',
      'tenant_id',
      'user_id',
      'scopes',
      'expires_at',
      // Whether the last use is old enough to be written again (see `recordUse`).
      eb
        .or([eb('last_used_at', 'is', null), eb('last_used_at', '<', sql<string>`now() - interval '1 minute'`)])
        .$castTo<boolean>()
        .as('use_stale'),
    ]),
);

export interface ActiveApiToken {
  id: string;
  tenantId: string;
  userId: string;
  scopes: ApiToken['scopes'];
  expiresAt: Date;
  /** The stored last use is over a minute old (or there is none). */
  useStale: boolean;
}

export class ApiTokenRepository extends SqlRepository<ApiToken> {
  /** The active token with this SHA-256, or null (one index lookup, no hydration). */
  async findActive(tokenHash: string): Promise<ActiveApiToken | null> {
    const { rows } = await ACTIVE_BY_HASH(this.sql(), tokenHash);
    const row = rows[0];
    if (!row) return null;
    return {
      id: row.id,
      tenantId: row.tenant_id,
      userId: row.user_id,
      scopes: row.scopes,
      expiresAt: new Date(row.expires_at),
      useStale: row.use_stale,
    };
  }

  /**
   * Records a use of the token, at most once a minute (the condition holds concurrent
   * requests to one write), on the pool outside any transaction of the request.
   */
  async recordUse(tenantId: string, tokenId: string, ip: string): Promise<void> {
    await this.sqlOutsideTransaction()
      .updateTable('api_tokens')
      .set({ last_used_at: sql<string>`now()`, last_used_ip: ip.slice(0, 45) })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', tokenId)
      .where((eb) =>
        eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', sql<string>`now() - interval '1 minute'`)]),
      )
      .execute();
  }
}
