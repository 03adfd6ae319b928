import { OptionalProps } from '@mikro-orm/core';
import { Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Session } from './session.entity.js';

/**
 * A refresh token, stored only as its SHA-256. Spent tokens are kept (until their
 * session goes) so that presenting one again is recognised as reuse.
 */
@Entity({ tableName: 'refresh_tokens' })
export class RefreshToken {
  [OptionalProps]?: 'createdAt' | 'spentAt';

  @PrimaryKey({ length: 64 })
  tokenHash!: string;

  @ManyToOne(() => Session, { deleteRule: 'cascade', index: true })
  session!: Session;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  expiresAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  spentAt: Date | null = null;
}
