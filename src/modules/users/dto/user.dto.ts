import { MembershipDto } from '../../tenants/dto/member.dto.js';
import type { User } from '../entities/user.entity.js';

export class UserDto {
  /** @example 0193b5a4-7c1e-7f3a-9d2b-4b1c2d3e4f50 */
  id!: string;
  /** @example ada@example.com */
  email!: string;
  /** @example "Ada Lovelace" */
  name!: string;
  /** When the owner proved they read `email` (a verification or email-change link); null until then. */
  emailVerifiedAt!: Date | null;
  createdAt!: Date;

  static from(user: User): UserDto {
    return {
      id: user.id,
      email: user.email,
      name: user.name,
      emailVerifiedAt: user.emailVerifiedAt,
      createdAt: user.createdAt,
    };
  }
}

export class ProfileDto extends UserDto {
  /** The tenants the user belongs to, with the user's role in each. */
  memberships!: MembershipDto[];
}
