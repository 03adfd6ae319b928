import { EntityRepositoryType, OptionalProps } from '@mikro-orm/core';
import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { User } from '../../users/entities/user.entity.js';
import { AccountTokenRepository } from '../account-token.repository.js';

/**
 * What a mailed token proves when it comes back: `password-reset`, that its holder reads the
 * account's address; `email-verification`, that the account's address (`email`, as it was when
 * mailed) reaches its owner; `email-change`, that the owner reads `email`, the new address.
 */
export const ACCOUNT_TOKEN_PURPOSES = ['password-reset', 'email-verification', 'email-change'] as const;
export type AccountTokenPurpose = (typeof ACCOUNT_TOKEN_PURPOSES)[number];

/**
 * A single-use token mailed to prove control of an address, stored only as its SHA-256.
 * Spending one deletes it, so a spent token and a forged one look alike.
 */
@Entity({ tableName: 'account_tokens', repository: () => AccountTokenRepository })
@Index({ properties: ['user', 'purpose'] })
export class AccountToken {
  [EntityRepositoryType]?: AccountTokenRepository;
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ length: 64 })
  tokenHash!: string;

  @ManyToOne(() => User, { deleteRule: 'cascade' })
  user!: User;

  @Enum({ items: () => ACCOUNT_TOKEN_PURPOSES, nativeEnumName: 'account_token_purpose' })
  purpose!: AccountTokenPurpose;

  /** The address the token was mailed to. */
  @Property({ length: 254 })
  email!: string;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', index: true })
  expiresAt!: Date;
}
