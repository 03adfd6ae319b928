import { IsIn } from 'class-validator';
import { PageOf } from '../../../common/pagination/page.dto.js';
import type { Membership } from '../entities/membership.entity.js';
import { ROLES, type Role } from '../roles.js';

export class MemberDto {
  userId!: string;
  name!: string;
  email!: string;
  role!: Role;
  joinedAt!: Date;

  static from(membership: Membership): MemberDto {
    const { user } = membership;
    return MemberDto.of(user.id, user.name, user.email, membership.role, membership.createdAt);
  }

  static of(userId: string, name: string, email: string, role: Role, joinedAt: Date): MemberDto {
    return { userId, name, email, role, joinedAt };
  }
}

export class MemberPageDto extends PageOf(MemberDto) {}

export class ChangeRoleDto {
  /** @example admin */
  @IsIn(ROLES)
  role!: Role;
}

/** One of the caller's memberships, as listed by `GET /users/me`. */
export class MembershipDto {
  tenantId!: string;
  tenantName!: string;
  role!: Role;

  static from(membership: Membership): MembershipDto {
    return { tenantId: membership.tenant.id, tenantName: membership.tenant.name, role: membership.role };
  }
}
