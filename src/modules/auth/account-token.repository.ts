import { createHash, randomBytes } from 'node:crypto';
import { SqlRepository } from '../../database/typed-sql.js';
import type { AccountToken, AccountTokenPurpose } from './entities/account-token.entity.js';

export interface SpentToken {
  userId: string;
  purpose: AccountTokenPurpose;
  email: string;
}

const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export class AccountTokenRepository extends SqlRepository<AccountToken> {
  /**
   * A new token (32 random bytes, base64url) for `purpose`, mailed to `email`; only its
   * SHA-256 is stored. `replacing`: the user's earlier tokens of this purpose stop working.
   */
  async issue(
    userId: string,
    purpose: AccountTokenPurpose,
    email: string,
    ttlMs: number,
    { replacing }: { replacing: boolean },
  ): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const now = new Date();
    if (replacing) {
      await this.sql()
        .deleteFrom('account_tokens')
        .where('user_id', '=', userId)
        .where('purpose', '=', purpose)
        .execute();
    }
    await this.sql()
      .insertInto('account_tokens')
      .values({
        token_hash: hashToken(token),
        user_id: userId,
        purpose,
        email,
        created_at: now,
        expires_at: new Date(now.getTime() + ttlMs),
      })
      .execute();
    return token;
  }

  /** The live token's owner, without spending it (to check a new password before hashing it). */
  async peek(token: string, purposes: readonly AccountTokenPurpose[]): Promise<SpentToken | null> {
    const row = await this.sql()
      .selectFrom('account_tokens')
      .select(['user_id', 'purpose', 'email'])
      .where('token_hash', '=', hashToken(token))
      .where('purpose', 'in', purposes)
      .where('expires_at', '>', new Date().toISOString())
      .executeTakeFirst();
    return row ? { userId: row.user_id, purpose: row.purpose, email: row.email } : null;
  }

  /**
   * Spends a live token of one of `purposes`: one DELETE, so of two concurrent uses one
   * wins. Null for a token that is unknown, spent, expired or of another purpose alike.
   */
  async spend(token: string, purposes: readonly AccountTokenPurpose[]): Promise<SpentToken | null> {
    const row = await this.sql()
      .deleteFrom('account_tokens')
      .where('token_hash', '=', hashToken(token))
      .where('purpose', 'in', purposes)
      .where('expires_at', '>', new Date().toISOString())
      .returning(['user_id', 'purpose', 'email'])
      .executeTakeFirst();
    return row ? { userId: row.user_id, purpose: row.purpose, email: row.email } : null;
  }

  /** Every token of the user stops working (its address or password changed). */
  async revokeAll(userId: string): Promise<void> {
    await this.sql().deleteFrom('account_tokens').where('user_id', '=', userId).execute();
  }
}
