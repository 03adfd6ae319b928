import type { OpenAPIObject, OperationObject } from '@nestjs/swagger';
import { requiredScope, type ApiTokenScope } from '../../common/auth/api-token-scopes.js';
import { API_TOKEN_SECURITY, TOKEN_SCOPE_EXTENSION } from '../../common/auth/decorators.js';
import { problemResponseObject } from '../../common/openapi/api-problems.decorator.js';
import { ROLE_EXTENSION } from '../tenants/minimum-role.decorator.js';
import { hasAtLeast, isRole } from '../tenants/roles.js';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

const isScope = (value: unknown): value is ApiTokenScope => value === 'read' || value === 'write' || value === 'admin';

const isPublic = (operation: OperationObject): boolean => JSON.stringify(operation.security) === '[{}]';

/**
 * Writes into the document what the guards enforce for API tokens: each tenant
 * operation's `x-token-scope` (from its method and `x-minimum-role`, as `requiredScope`
 * derives it), both security schemes on the operations a token may call, and the `403`
 * every other authenticated operation gives a token.
 */
export function documentTokenScopes(document: OpenAPIObject, bearer: string): OpenAPIObject {
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const role: unknown = Reflect.get(operation, ROLE_EXTENSION);
      if (!Reflect.has(operation, TOKEN_SCOPE_EXTENSION) && isRole(role))
        Reflect.set(operation, TOKEN_SCOPE_EXTENSION, requiredScope(method, hasAtLeast(role, 'admin')));
      if (isScope(Reflect.get(operation, TOKEN_SCOPE_EXTENSION)))
        operation.security = [{ [bearer]: [] }, { [API_TOKEN_SECURITY]: [] }];
      else if (!isPublic(operation) && !('403' in operation.responses))
        operation.responses['403'] = problemResponseObject(
          403,
          'Forbidden: an API token, on a route for sessions only',
        );
    }
  }
  return document;
}

/** The scope as the operation list shows it: `token: write`, `token only`; undefined where tokens are refused. */
export function tokenScopeBadge(operation: OperationObject): string | undefined {
  const scope: unknown = Reflect.get(operation, TOKEN_SCOPE_EXTENSION);
  if (scope === 'any') return 'API token only';
  return isScope(scope) ? `token: ${scope}` : undefined;
}
