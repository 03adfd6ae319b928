import { domainError } from '../../common/http/domain-error.js';

export class InvalidCredentials extends domainError('unauthenticated', 'invalid-credentials', 'Invalid credentials') {
  constructor() {
    super('The email or password is incorrect');
  }
}

export class InvalidAccessToken extends domainError('unauthenticated', 'invalid-token', 'Authentication required') {
  /** `invalid_token` when a credential was sent and refused (RFC 6750 §3.1). */
  override readonly bearerError: 'invalid_token' | undefined;

  constructor(sent = false) {
    super('A valid bearer access token is required');
    this.bearerError = sent ? 'invalid_token' : undefined;
  }
}

export class InvalidRefreshToken extends domainError(
  'unauthenticated',
  'invalid-refresh-token',
  'Invalid refresh token',
) {
  constructor() {
    super('The refresh token is invalid, expired, revoked or already used');
  }
}

export class WrongCurrentPassword extends domainError(
  'invalid',
  'wrong-current-password',
  'Current password is incorrect',
) {
  constructor() {
    super('The current password is incorrect', [{ path: 'currentPassword', message: 'is incorrect' }]);
  }
}

export class SessionNotFound extends domainError('not-found', 'session-not-found', 'Session not found') {
  constructor() {
    super('No active session with this id');
  }
}

export class AmbiguousAuthorization extends domainError('invalid', 'ambiguous-authorization', 'Ambiguous credentials') {
  constructor() {
    super('Send at most one Authorization header');
  }
}

export class InvalidMailToken extends domainError('invalid', 'invalid-mail-token', 'Invalid or expired link') {
  constructor() {
    super('This link is invalid, expired or already used', [
      { path: 'token', message: 'is invalid, expired or already used' },
    ]);
  }
}

export class EmailUnchanged extends domainError('invalid', 'email-unchanged', 'Email unchanged') {
  constructor() {
    super('The account already uses this address', [{ path: 'newEmail', message: 'is the current address' }]);
  }
}
