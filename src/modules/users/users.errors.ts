import { DomainError } from '../../common/http/domain-error.js';

export class EmailTaken extends DomainError {
  readonly kind = 'conflict';
  readonly code = 'email-taken';
  readonly title = 'Email already registered';

  constructor() {
    super('An account with this email already exists', [{ path: 'email', message: 'is already registered' }]);
  }
}

export class UserNotFound extends DomainError {
  readonly kind = 'not-found';
  readonly code = 'user-not-found';
  readonly title = 'User not found';

  constructor() {
    super('No such user');
  }
}
