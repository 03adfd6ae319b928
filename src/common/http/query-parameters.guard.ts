import { Injectable, type CanActivate, type ExecutionContext, type Type } from '@nestjs/common';
import { PARAMTYPES_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { getMetadataStorage } from 'class-validator';
import type { FastifyRequest } from 'fastify';
import { domainError, listFieldProblems, listNames, RequestValidationError } from './domain-error.js';
import { findUnacceptable } from './json-body.js';

export class UnknownQueryParameters extends domainError(
  'invalid',
  'unknown-query-parameter',
  'Unknown query parameter',
) {
  constructor(unknown: readonly string[], accepted: Iterable<string>) {
    const acceptedList = [...accepted].join(', ');
    super(
      `Unknown query parameter${unknown.length === 1 ? '' : 's'}: ${listNames(unknown)}. ` +
        (acceptedList ? `Accepted: ${acceptedList}` : 'This route takes no query parameters'),
      listFieldProblems(unknown.map((name) => ({ path: name, message: 'is not an accepted query parameter' }))),
    );
  }
}

/** An entry of Nest's `ROUTE_ARGS_METADATA`, keyed `${RouteParamtypes}:${index}`. */
interface RouteArgument {
  index: number;
  /** The name given to `@Query('name')`; absent for `@Query()`, which takes the whole query. */
  data?: unknown;
}

function isRouteArgument(value: unknown): value is RouteArgument {
  return typeof value === 'object' && value !== null && 'index' in value && typeof value.index === 'number';
}

/** Route handlers as Nest gives them (its `Function`), keys of the guard's cache. */
type RouteHandler = ReturnType<ExecutionContext['getHandler']>;

/**
 * The query parameters a route handler reads, from its own parameter decorators:
 * `@Query('name')` accepts `name`, `@Query() dto: SomeDto` accepts the DTO's validated
 * properties. In declaration order, for the error message.
 */
export function acceptedQueryParameters(controller: Type, handlerName: string): ReadonlySet<string> {
  const routeArguments: unknown = Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handlerName);
  const prototype: unknown = controller.prototype;
  const paramTypes: unknown =
    typeof prototype === 'object' && prototype !== null
      ? Reflect.getMetadata(PARAMTYPES_METADATA, prototype, handlerName)
      : undefined;
  const queryArguments = Object.entries(routeArguments ?? {})
    .filter(([key]) => key.startsWith(`${RouteParamtypes.QUERY}:`))
    .map(([, argument]: [string, unknown]) => argument)
    .filter(isRouteArgument)
    .sort((a, b) => a.index - b.index);

  const accepted = new Set<string>();
  for (const { index, data } of queryArguments) {
    if (typeof data === 'string') {
      accepted.add(data);
      continue;
    }
    const dto: unknown = Array.isArray(paramTypes) ? paramTypes[index] : undefined;
    // The properties the global `ValidationPipe` whitelists on the DTO (inherited and mapped-type ones
    // included): same lookup as class-validator's whitelist (no groups), so this guard and the pipe agree.
    const properties =
      typeof dto === 'function'
        ? getMetadataStorage()
            .getTargetValidationMetadatas(dto, '', false, false)
            .map((metadata) => metadata.propertyName)
        : [];
    // A whole-query parameter without a validated DTO (a plain object type) would pass
    // anything unchecked: a programming error, so every call of the route fails loudly.
    if (properties.length === 0) {
      throw new Error(`${controller.name}.${handlerName}: @Query() needs a DTO class with class-validator decorators`);
    }
    for (const property of properties) accepted.add(property);
  }
  return accepted;
}

/** The first value of `values` (query or path parameters) PostgreSQL could not take as text, as a problem. */
function unacceptableParameter(values: unknown): { path: string; message: string } | null {
  if (typeof values !== 'object' || values === null) return null;
  for (const [name, value] of Object.entries(values)) {
    const problem = findUnacceptable([name, value]);
    if (problem) return { path: name, message: problem };
  }
  return null;
}

/**
 * Global guard: a query parameter the route does not read is a 400 naming it, so a
 * misspelt filter never silently returns everything; so is a query or path parameter with
 * text PostgreSQL cannot take (NUL, lone surrogates), which would otherwise fail the
 * statement as a protocol error. Runs after authentication, so an anonymous caller
 * still gets 401 first.
 */
@Injectable()
export class QueryParametersGuard implements CanActivate {
  // Route metadata never changes after start-up: derive each handler's names once.
  private readonly acceptedByHandler = new WeakMap<RouteHandler, ReadonlySet<string>>();

  canActivate(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    let accepted = this.acceptedByHandler.get(handler);
    if (!accepted) {
      accepted = acceptedQueryParameters(context.getClass(), handler.name);
      this.acceptedByHandler.set(handler, accepted);
    }

    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const query: unknown = request.query;
    const names = typeof query === 'object' && query !== null ? Object.keys(query) : [];
    const unknown = names.filter((name) => !accepted.has(name));
    if (unknown.length > 0) throw new UnknownQueryParameters(unknown, accepted);
    const unacceptable = unacceptableParameter(query) ?? unacceptableParameter(request.params);
    if (unacceptable) throw new RequestValidationError([unacceptable]);
    return true;
  }
}
