import { DomainError } from '../http/domain-error.js';

export class IdempotencyKeyReused extends DomainError {
  readonly kind = 'unprocessable';
  readonly code = 'idempotency-key-reused';
  readonly title = 'Idempotency key reused';

  constructor() {
    super('This Idempotency-Key was used for a different request (method, path or body); send a new key with a new request');
  }
}

export class IdempotentRequestInProgress extends DomainError {
  readonly kind = 'conflict';
  readonly code = 'idempotent-request-in-progress';
  readonly title = 'Request still in progress';

  constructor() {
    super('A request with this Idempotency-Key is still being processed; retry shortly to get its response');
  }
}
