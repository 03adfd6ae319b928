import { domainError } from '../../common/http/domain-error.js';
import type { Role } from './roles.js';

/** Also the answer for a tenant the caller is not a member of: existence never leaks. */
export class TenantNotFound extends domainError('not-found', 'tenant-not-found', 'Tenant not found') {
  constructor() {
    super('No such tenant');
  }
}

export class InsufficientRole extends domainError('forbidden', 'insufficient-role', 'Role too low') {
  constructor(required: Role) {
    super(`This action needs the ${required} role or a stronger one in this tenant`);
  }
}

export class OwnerRoleReserved extends domainError('forbidden', 'owner-role-reserved', 'Only owners manage owners') {
  constructor() {
    super('Only an owner can grant the owner role, take it away, or remove an owner');
  }
}

export class SlugTaken extends domainError('conflict', 'slug-taken', 'Slug already taken') {
  constructor() {
    super('Another tenant already uses this slug', [{ path: 'slug', message: 'is already taken' }]);
  }
}

export class LastOwner extends domainError('conflict', 'last-owner', 'A tenant needs an owner') {
  constructor() {
    super('The last owner of a tenant can neither be demoted nor leave nor be removed; make someone else owner first');
  }
}

export class MemberNotFound extends domainError('not-found', 'member-not-found', 'Member not found') {
  constructor() {
    super('No member with this user id in this tenant');
  }
}

export class AlreadyMember extends domainError('conflict', 'already-member', 'Already a member') {
  constructor() {
    super('This person is already a member of the tenant');
  }
}

export class InvitationNotFound extends domainError('not-found', 'invitation-not-found', 'Invitation not found') {
  constructor() {
    super('No pending invitation matches');
  }
}

export class InvitationNotPending extends domainError(
  'invalid',
  'invitation-not-pending',
  'Invitation no longer valid',
) {
  constructor(state: 'expired' | 'revoked' | 'used') {
    super(`This invitation was ${state === 'used' ? 'already used' : state}`, [
      { path: 'token', message: `is ${state}` },
    ]);
  }
}

export class InvitationForAnotherEmail extends domainError(
  'forbidden',
  'invitation-for-another-email',
  'Invitation for another email',
) {
  constructor() {
    super('This invitation was sent to another email address than the one of your account');
  }
}

export class UnverifiedEmail extends domainError('forbidden', 'email-not-verified', 'Email not verified') {
  constructor() {
    super('Verify your email address before accepting an invitation (POST /users/me/email/verification mails a link)');
  }
}
