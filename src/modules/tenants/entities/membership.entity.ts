import { EntityRepositoryType, OptionalProps } from '@mikro-orm/core';
import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { v7 as uuidv7 } from 'uuid';
import { User } from '../../users/entities/user.entity.js';
import { MembershipRepository } from '../membership.repository.js';
import { ROLES, type Role } from '../roles.js';
import { TenantScoped } from './tenant-scoped.entity.js';

@Entity({ tableName: 'memberships', repository: () => MembershipRepository })
@Unique({ properties: ['tenant', 'user'] })
@Unique({ properties: ['tenant', 'id'] })
@Index({ properties: ['tenant', 'createdAt', 'id'] })
@Index({ properties: ['user', 'createdAt', 'id'] })
export class Membership extends TenantScoped {
  [EntityRepositoryType]?: MembershipRepository;
  [OptionalProps]?: 'id' | 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne(() => User, { deleteRule: 'cascade' })
  user!: User;

  @Enum({ items: () => ROLES, nativeEnumName: 'tenant_role' })
  role!: Role;

  /** When the user joined the tenant. */
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
