import { IsEmail, IsIn, IsString, Length } from 'class-validator';
import { NormalizeEmail, TextLength } from '../../../common/validation/decorators.js';
import { PageOf } from '../../../common/pagination/page.dto.js';
import type { Invitation } from '../entities/invitation.entity.js';
import { ROLES, type Role } from '../roles.js';

export class CreateInvitationDto {
  /**
   * Who may accept it; compared case-insensitively with their account's email.
   * @example grace@example.com
   */
  @IsEmail({}, { message: 'must be an email address' })
  @TextLength(0, 254)
  @NormalizeEmail()
  @IsString()
  email!: string;

  /**
   * The role the invitee gets. Only owners invite owners.
   * @example member
   */
  @IsIn(ROLES)
  role!: Role;
}

export class InvitationDto {
  id!: string;
  email!: string;
  role!: Role;
  /** User id of the member who sent it (null once that account is gone). */
  invitedBy!: string | null;
  createdAt!: Date;
  expiresAt!: Date;

  static from(invitation: Invitation): InvitationDto {
    return {
      id: invitation.id,
      email: invitation.email,
      role: invitation.role,
      invitedBy: invitation.invitedBy?.id ?? null,
      createdAt: invitation.createdAt,
      expiresAt: invitation.expiresAt,
    };
  }
}

export class CreatedInvitationDto extends InvitationDto {
  /**
   * One-time secret to hand to the invitee (Yello sends no email): they call
   * `POST /invitations/accept` with it. It is shown only in this response.
   */
  token!: string;
}

export class InvitationPageDto extends PageOf(InvitationDto) {}

export class AcceptInvitationDto {
  /**
   * The token of `POST /tenants/{tenantId}/invitations`, as handed over by whoever invited you.
   * @example q3Vb8kR1xN0sT4yW6zA9cE2gJ5mP7uL0hD3fK8nQ1sV
   */
  @Length(1, 256)
  @IsString()
  token!: string;
}
