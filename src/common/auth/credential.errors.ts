import { domainError } from '../http/domain-error.js';
import type { ApiTokenScope } from './api-token-scopes.js';

export class ApiTokenNotAllowed extends domainError('forbidden', 'api-token-not-allowed', 'Not for API tokens') {
  constructor() {
    super('API tokens work only on the routes of their tenant; sign in for account routes and token management');
  }
}

export class ApiTokenRequired extends domainError('forbidden', 'api-token-required', 'API token required') {
  constructor() {
    super('Only an API token can call this route');
  }
}

export class InsufficientScope extends domainError('forbidden', 'insufficient-scope', 'Token scope too narrow') {
  constructor(required: ApiTokenScope) {
    super(`This action needs an API token with the ${required} scope`);
  }
}
