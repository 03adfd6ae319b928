import { domainError } from '../../common/http/domain-error.js';

export class EventCursorExpired extends domainError('gone', 'event-cursor-expired', 'Events expired') {
  constructor(after: number, oldest: number) {
    super(`Events after ${after} are past the retention; read from ${oldest}`);
  }
}
