import { EntityRepositoryType, OptionalProps } from '@mikro-orm/core';
import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { v7 as uuidv7 } from 'uuid';
import { User } from '../../users/entities/user.entity.js';
import { SessionRepository } from '../session.repository.js';

/**
 * One login on one device. Every token pair belongs to a session, so revoking the
 * session (logout, password change, refresh-token reuse) ends both tokens at once.
 */
@Entity({ tableName: 'sessions', repository: () => SessionRepository })
@Index({ properties: ['user', 'revokedAt', 'expiresAt'] })
export class Session {
  [EntityRepositoryType]?: SessionRepository;
  [OptionalProps]?: 'id' | 'createdAt' | 'lastUsedAt' | 'revokedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne(() => User, { deleteRule: 'cascade' })
  user!: User;

  @Property({ length: 512, nullable: true })
  userAgent!: string | null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  lastUsedAt: Date = new Date();

  /** Moves forward with every refresh: a session lives as long as its newest refresh token. */
  @Property({ type: 'datetime' })
  expiresAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  revokedAt: Date | null = null;

  isActive(now = new Date()): boolean {
    return this.revokedAt === null && this.expiresAt > now;
  }
}
