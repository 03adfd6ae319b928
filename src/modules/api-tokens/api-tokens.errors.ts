import { domainError } from '../../common/http/domain-error.js';

export class ApiTokenNotFound extends domainError('not-found', 'api-token-not-found', 'API token not found') {
  constructor() {
    super('No active API token with this id in this tenant');
  }
}
