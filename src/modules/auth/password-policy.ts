import { Injectable } from '@nestjs/common';
import { dictionary } from '@zxcvbn-ts/language-common';
import { domainError } from '../../common/http/domain-error.js';

export class WeakPassword extends domainError('invalid', 'weak-password', 'Password not accepted') {
  constructor(field: string, reason: string) {
    super(`The password ${reason}`, [{ path: field, message: reason }]);
  }
}

/**
 * What security.md asks beyond length (checked by the DTOs): not one of the most common
 * passwords (the ~49 000 of zxcvbn's list, compared case-insensitively) and not the email.
 */
@Injectable()
export class PasswordPolicy {
  private readonly commonPasswords = new Set(dictionary['passwords-common'].map((word) => word.toLowerCase()));

  assertAcceptable(password: string, email: string, field = 'password'): void {
    const normalized = password.trim().toLowerCase();
    if (this.commonPasswords.has(normalized)) {
      throw new WeakPassword(field, 'is one of the most commonly used passwords');
    }
    if (normalized === email.trim().toLowerCase()) {
      throw new WeakPassword(field, 'must not be the email address');
    }
  }
}
