import { EntityRepositoryType, OptionalProps } from '@mikro-orm/core';
import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { v7 as uuidv7 } from 'uuid';
import { API_TOKEN_SCOPES, type ApiTokenScope } from '../../../common/auth/api-token-scopes.js';
import { CompositeForeignKeys } from '../../../database/mikro-orm.options.js';
import { TenantScoped } from '../../tenants/entities/tenant-scoped.entity.js';
import { User } from '../../users/entities/user.entity.js';
import { ApiTokenRepository } from '../api-token.repository.js';

/**
 * A tenant API token: acts for its creator in one tenant. Only the SHA-256 of the secret
 * is kept. It belongs to the creator's membership: removing the member deletes it with the
 * membership (ON DELETE CASCADE), in the same statement.
 */
@CompositeForeignKeys({
  name: 'api_tokens_tenant_user_foreign',
  columns: ['tenant_id', 'user_id'],
  references: { table: 'memberships', columns: ['tenant_id', 'user_id'] },
  deleteRule: 'cascade',
})
@Entity({ tableName: 'api_tokens', repository: () => ApiTokenRepository })
@Unique({ properties: ['tenant', 'id'] })
@Index({ properties: ['tenant', 'createdAt', 'id'] })
@Index({ properties: ['tenant', 'user', 'createdAt', 'id'] })
export class ApiToken extends TenantScoped {
  [EntityRepositoryType]?: ApiTokenRepository;
  [OptionalProps]?: 'id' | 'createdAt' | 'lastUsedAt' | 'lastUsedIp' | 'revokedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  /** The creator, whose current role bounds what the token may do. */
  @ManyToOne(() => User, { deleteRule: 'cascade', createForeignKeyConstraint: false })
  user!: User;

  @Property({ length: 100 })
  name!: string;

  @Enum({ items: () => API_TOKEN_SCOPES, array: true })
  scopes!: ApiTokenScope[];

  @Property({ length: 64, unique: true, hidden: true })
  tokenHash!: string;

  /** The first 8 characters of the token, to recognise it in lists. */
  @Property({ length: 8 })
  prefix!: string;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  expiresAt!: Date;

  /** Written at most once a minute (see `ApiTokenRepository.recordUse`). */
  @Property({ type: 'datetime', nullable: true })
  lastUsedAt: Date | null = null;

  @Property({ length: 45, nullable: true })
  lastUsedIp: string | null = null;

  @Property({ type: 'datetime', nullable: true })
  revokedAt: Date | null = null;
}
