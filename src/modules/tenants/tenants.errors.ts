import { DomainError } from '../../common/http/domain-error.js';
import type { Role } from './roles.js';

/** Also the answer for a tenant the caller is not a member of: existence never leaks. */
export class TenantNotFound extends DomainError {
  readonly kind = 'not-found';
  readonly code = 'tenant-not-found';
  readonly title = 'Tenant not found';

  constructor() {
    super('No such tenant');
  }
}

export class InsufficientRole extends DomainError {
  readonly kind = 'forbidden';
  readonly code = 'insufficient-role';
  readonly title = 'Role too low';

  constructor(required: Role) {
    super(`This action needs the ${required} role or a stronger one in this tenant`);
  }
}

export class OwnerRoleReserved extends DomainError {
  readonly kind = 'forbidden';
  readonly code = 'owner-role-reserved';
  readonly title = 'Only owners manage owners';

  constructor() {
    super('Only an owner can grant the owner role, take it away, or remove an owner');
  }
}

export class SlugTaken extends DomainError {
  readonly kind = 'conflict';
  readonly code = 'slug-taken';
  readonly title = 'Slug already taken';

  constructor() {
    super('Another tenant already uses this slug', [{ path: 'slug', message: 'is already taken' }]);
  }
}

export class LastOwner extends DomainError {
  readonly kind = 'conflict';
  readonly code = 'last-owner';
  readonly title = 'A tenant needs an owner';

  constructor() {
    super('The last owner of a tenant can neither be demoted nor leave nor be removed; make someone else owner first');
  }
}

export class MemberNotFound extends DomainError {
  readonly kind = 'not-found';
  readonly code = 'member-not-found';
  readonly title = 'Member not found';

  constructor() {
    super('No member with this user id in this tenant');
  }
}

export class AlreadyMember extends DomainError {
  readonly kind = 'conflict';
  readonly code = 'already-member';
  readonly title = 'Already a member';

  constructor() {
    super('This person is already a member of the tenant');
  }
}

export class InvitationNotFound extends DomainError {
  readonly kind = 'not-found';
  readonly code = 'invitation-not-found';
  readonly title = 'Invitation not found';

  constructor() {
    super('No pending invitation matches');
  }
}

export class InvitationNotPending extends DomainError {
  readonly kind = 'invalid';
  readonly code = 'invitation-not-pending';
  readonly title = 'Invitation no longer valid';

  constructor(state: 'expired' | 'revoked' | 'used') {
    super(`This invitation was ${state === 'used' ? 'already used' : state}`, [{ path: 'token', message: `is ${state}` }]);
  }
}

export class InvitationForAnotherEmail extends DomainError {
  readonly kind = 'forbidden';
  readonly code = 'invitation-for-another-email';
  readonly title = 'Invitation for another email';

  constructor() {
    super('This invitation was sent to another email address than the one of your account');
  }
}
