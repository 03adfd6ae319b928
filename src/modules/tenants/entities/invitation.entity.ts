import { EntityRepositoryType, OptionalProps } from '@mikro-orm/core';
import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { v7 as uuidv7 } from 'uuid';
import { User } from '../../users/entities/user.entity.js';
import { ROLES, type Role } from '../roles.js';
import { InvitationRepository } from '../invitation.repository.js';
import { TenantScoped } from './tenant-scoped.entity.js';

/** An offer to join a tenant, redeemed with a one-time token of which only the hash is kept. */
@Entity({ tableName: 'invitations', repository: () => InvitationRepository })
@Unique({ properties: ['tenant', 'id'] })
@Index({ properties: ['tenant', 'createdAt', 'id'] })
// One open invitation per email and tenant (an expired one stays open until replaced).
@Index({
  name: 'invitations_open_email_unique',
  expression:
    'create unique index "invitations_open_email_unique" on "invitations" ("tenant_id", "email") where "accepted_at" is null and "revoked_at" is null',
})
export class Invitation extends TenantScoped {
  [EntityRepositoryType]?: InvitationRepository;

  [OptionalProps]?: 'id' | 'createdAt' | 'acceptedAt' | 'revokedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  /** Lower-cased; the accepting user's email must match. */
  @Property({ length: 254 })
  email!: string;

  @Enum({ items: () => ROLES, nativeEnumName: 'tenant_role' })
  role!: Role;

  @Property({ length: 64, unique: true, hidden: true })
  tokenHash!: string;

  @ManyToOne(() => User, { deleteRule: 'set null', nullable: true })
  invitedBy!: User | null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  expiresAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  acceptedAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  revokedAt: Date | null = null;

  isPending(now = new Date()): boolean {
    return this.acceptedAt === null && this.revokedAt === null && this.expiresAt > now;
  }
}
