import { domainError } from '../http/domain-error.js';

export class IdempotencyKeyReused extends domainError(
  'unprocessable',
  'idempotency-key-reused',
  'Idempotency key reused',
) {
  constructor() {
    super(
      'This Idempotency-Key was used for a different request (method, path or body); send a new key with a new request',
    );
  }
}

export class IdempotentRequestInProgress extends domainError(
  'conflict',
  'idempotent-request-in-progress',
  'Request still in progress',
) {
  constructor() {
    super('A request with this Idempotency-Key is still being processed; retry shortly to get its response');
  }
}
