import { DomainError } from '../../common/http/domain-error.js';

export class InvalidCredentials extends DomainError {
  readonly kind = 'unauthenticated';
  readonly code = 'invalid-credentials';
  readonly title = 'Invalid credentials';

  constructor() {
    super('The email or password is incorrect');
  }
}

export class InvalidAccessToken extends DomainError {
  readonly kind = 'unauthenticated';
  readonly code = 'invalid-token';
  readonly title = 'Authentication required';

  constructor() {
    super('A valid bearer access token is required');
  }
}

export class InvalidRefreshToken extends DomainError {
  readonly kind = 'unauthenticated';
  readonly code = 'invalid-refresh-token';
  readonly title = 'Invalid refresh token';

  constructor() {
    super('The refresh token is invalid, expired, revoked or already used');
  }
}

export class WrongCurrentPassword extends DomainError {
  readonly kind = 'invalid';
  readonly code = 'wrong-current-password';
  readonly title = 'Current password is incorrect';

  constructor() {
    super('The current password is incorrect', [{ path: 'currentPassword', message: 'is incorrect' }]);
  }
}

export class SessionNotFound extends DomainError {
  readonly kind = 'not-found';
  readonly code = 'session-not-found';
  readonly title = 'Session not found';

  constructor() {
    super('No active session with this id');
  }
}
