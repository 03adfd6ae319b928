import { domainError } from '../../common/http/domain-error.js';

export class EmailTaken extends domainError('conflict', 'email-taken', 'Email already registered') {
  constructor(field = 'email') {
    super('An account with this email already exists', [{ path: field, message: 'is already registered' }]);
  }
}

export class UserNotFound extends domainError('not-found', 'user-not-found', 'User not found') {
  constructor() {
    super('No such user');
  }
}
