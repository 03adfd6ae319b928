import { Injectable } from '@nestjs/common';
import { domainError } from '../../common/http/domain-error.js';

export class WeakPassword extends domainError('invalid', 'weak-password', 'Password not accepted') {
  constructor(field: string, reason: string) {
    super(`The password ${reason}`, [{ path: field, message: reason }]);
  }
}

/**
 * zxcvbn's list of the most common passwords, lower-cased: loaded when a password is first
 * set, not at start-up (importing the list and building the set took about 95 ms of every
 * start), and once per process, however many apps it runs (the test workers run one per spec file).
 */
let commonPasswords: Promise<ReadonlySet<string>> | undefined;
function loadCommonPasswords(): Promise<ReadonlySet<string>> {
  commonPasswords ??= import('@zxcvbn-ts/language-common').then(
    ({ dictionary }) => new Set(dictionary['passwords-common'].map((word) => word.toLowerCase())),
  );
  return commonPasswords;
}

/**
 * What security.md asks beyond length (checked by the DTOs): not one of the most common
 * passwords (the ~49 000 of zxcvbn's list, compared case-insensitively) and not the email.
 */
@Injectable()
export class PasswordPolicy {
  async assertAcceptable(password: string, email: string, field = 'password'): Promise<void> {
    const normalized = password.trim().toLowerCase();
    if ((await loadCommonPasswords()).has(normalized)) {
      throw new WeakPassword(field, 'is one of the most commonly used passwords');
    }
    if (normalized === email.trim().toLowerCase()) {
      throw new WeakPassword(field, 'must not be the email address');
    }
  }
}
