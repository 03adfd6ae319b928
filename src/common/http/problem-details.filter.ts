import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger, type ExceptionFilter } from '@nestjs/common';
import { ConnectionException, NotFoundError, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { DatabaseOutages } from '../../database/database-outages.js';
import { isLockTimeout, WriteContention } from '../../database/transactions.js';
import { DomainError, RateLimited, ServiceBusy, type DomainErrorKind, type FieldProblem } from './domain-error.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** RFC 9457 body; `requestId` and `errors` are Yello's extension members. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  requestId: string;
  errors?: FieldProblem[];
}

const STATUS_BY_KIND: Record<DomainErrorKind, number> = {
  invalid: HttpStatus.BAD_REQUEST,
  unauthenticated: HttpStatus.UNAUTHORIZED,
  forbidden: HttpStatus.FORBIDDEN,
  'not-found': HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  gone: HttpStatus.GONE,
  'precondition-failed': HttpStatus.PRECONDITION_FAILED,
  unprocessable: HttpStatus.UNPROCESSABLE_ENTITY,
  'rate-limited': HttpStatus.TOO_MANY_REQUESTS,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
};

/** Plain-language details for errors Fastify raises before a route handler runs. */
const FRAMEWORK_DETAILS: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Unsupported content type; send application/json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'The request body is larger than 1 MiB',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'The JSON body is empty',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'Content-Length does not match the body',
  FST_ERR_CTP_INVALID_JSON_BODY: 'The request body is not valid JSON',
  FST_ERR_MAX_PARAM_LENGTH: 'A path segment is longer than any valid one',
  FST_ERR_BAD_URL: 'The URL is malformed',
};

interface HttpLikeError {
  statusCode: number;
  code?: string;
  message: string;
}

function isHttpLikeError(error: unknown): error is HttpLikeError {
  return (
    error instanceof Error &&
    'statusCode' in error &&
    typeof error.statusCode === 'number' &&
    error.statusCode >= 400 &&
    error.statusCode < 500
  );
}

/** Socket errors of the `pg` driver when the server is gone or unreachable. */
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);
/** SQLSTATEs of a server that is shutting down, overloaded, or cancelled a statement on timeout. */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '57014']);
/**
 * A protocol violation (08P01) on a live connection comes from a value the driver could
 * not send (text with NUL): the request's fault, not an outage. Validation should stop it.
 */
const PROTOCOL_VIOLATION_SQLSTATE = '08P01';
/**
 * SQLSTATEs of a value PostgreSQL refused: too long (22001), out of range (22003), a bad
 * date or time (22008), malformed (22P02), null (23502), failing a check (23514).
 * Validation should stop each first; one that slips through is still the request's fault.
 */
const REFUSED_VALUE_SQLSTATES = new Set(['22001', '22003', '22008', '22P02', '23502', '23514']);
const UNIQUE_VIOLATION_SQLSTATE = '23505';
/** A row the request refers to went while it was written (services hold what they reference; this is the backstop). */
const FOREIGN_KEY_VIOLATION_SQLSTATE = '23503';
/** `pg`'s own timeouts, and a client whose socket died mid-transaction, carry no code, only a message. */
const DRIVER_TIMEOUT =
  /timeout exceeded when trying to connect|Connection terminated|Query read timeout|Client has encountered a connection error/i;

/**
 * A failure of the database rather than of the request: worth a retry, so 503. Errors
 * of MikroORM's driver come wrapped in `DriverException`; raw statements on the
 * connection (the hot-path checks) surface `pg`'s own errors, with the same codes.
 */
function isDatabaseUnavailable(exception: unknown): boolean {
  if (exception instanceof ConnectionException) return true;
  const code = stringProperty(exception, 'code');
  if (code === PROTOCOL_VIOLATION_SQLSTATE) return false;
  return (
    NETWORK_ERROR_CODES.has(code) ||
    UNAVAILABLE_SQLSTATES.has(code) ||
    code.startsWith('08') || // connection exceptions
    DRIVER_TIMEOUT.test(stringProperty(exception, 'message'))
  );
}

/** Read structurally: socket errors come from Node's own realm, where `instanceof Error` may not hold. */
function stringProperty(value: unknown, name: 'code' | 'message'): string {
  if (typeof value !== 'object' || value === null || !(name in value)) return '';
  const property: unknown = Reflect.get(value, name);
  return typeof property === 'string' ? property : '';
}

function genericProblem(status: number, detail: string): Omit<ProblemDetails, 'requestId'> {
  return { type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail };
}

/** The problem document for any error (its `requestId` is added by `sendProblem`). */
export function problemFor(exception: unknown): Omit<ProblemDetails, 'requestId'> {
  if (exception instanceof DomainError) {
    return {
      type: `urn:yello:problem:${exception.code}`,
      title: exception.title,
      status: STATUS_BY_KIND[exception.kind],
      detail: exception.detail,
      ...exception.extensions,
      ...(exception.fields ? { errors: exception.fields } : {}),
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const detail =
      status === HttpStatus.SERVICE_UNAVAILABLE
        ? 'The service is not ready; try again shortly'
        : status >= 500
          ? 'The server could not complete the request'
          : exception.message;
    return genericProblem(status, detail);
  }
  if (isHttpLikeError(exception)) {
    const detail = (exception.code && FRAMEWORK_DETAILS[exception.code]) ?? exception.message;
    return genericProblem(exception.statusCode, detail);
  }
  if (isDatabaseUnavailable(exception)) {
    return genericProblem(HttpStatus.SERVICE_UNAVAILABLE, 'The database is unavailable; try again shortly');
  }
  // Backstops for what services should have turned into domain errors. MikroORM's
  // exceptions keep the driver's SQLSTATE in `code`, as raw `pg` errors carry it.
  const sqlState = stringProperty(exception, 'code');
  if (REFUSED_VALUE_SQLSTATES.has(sqlState) || sqlState === PROTOCOL_VIOLATION_SQLSTATE) {
    return genericProblem(HttpStatus.BAD_REQUEST, 'A value in the request is too long, out of range or malformed');
  }
  if (exception instanceof UniqueConstraintViolationException || sqlState === UNIQUE_VIOLATION_SQLSTATE) {
    return genericProblem(HttpStatus.CONFLICT, 'The request conflicts with existing data');
  }
  if (sqlState === FOREIGN_KEY_VIOLATION_SQLSTATE) {
    return genericProblem(HttpStatus.NOT_FOUND, 'A resource this request refers to no longer exists');
  }
  if (exception instanceof NotFoundError) return genericProblem(HttpStatus.NOT_FOUND, 'The resource does not exist');
  return genericProblem(HttpStatus.INTERNAL_SERVER_ERROR, 'The server could not complete the request');
}

/**
 * A 503 thrown on purpose (a readiness probe saying "not ready", password hashing at
 * capacity) is an answer, not a failure.
 */
function isDeliberate503(exception: unknown): boolean {
  return (
    exception instanceof ServiceBusy ||
    (exception instanceof HttpException && exception.getStatus() === HttpStatus.SERVICE_UNAVAILABLE)
  );
}

/** Every 503 says when to come back: a busy server its own estimate, an outage this. */
const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

function retryAfterSeconds(exception: unknown, status: number): number | undefined {
  if (exception instanceof RateLimited || exception instanceof ServiceBusy) return exception.retryAfterSeconds;
  return status === HttpStatus.SERVICE_UNAVAILABLE ? UNAVAILABLE_RETRY_AFTER_SECONDS : undefined;
}

/** Told of each request answered 503 because the database is unavailable (see `DatabaseOutages`). */
export interface OutageRecorder {
  unavailable(cause: unknown): void;
}

/**
 * Answers with the problem document for `exception`; server errors are logged with
 * their cause, which never reaches the client. A database outage is the recorder's to
 * log: once, with a count, rather than a stack trace per request.
 */
export function sendProblem(
  reply: FastifyReply,
  requestId: string,
  thrown: unknown,
  logger: Logger,
  outages?: OutageRecorder,
): void {
  // A lock wait past `lock_timeout` outside `Transactions.run` (a lone flush): contention, not an outage.
  const exception = isLockTimeout(thrown)
    ? new WriteContention('Waited too long for other changes to the same items')
    : thrown;
  const problem: ProblemDetails = { ...problemFor(exception), requestId };
  if (outages && problem.status === HttpStatus.SERVICE_UNAVAILABLE && isDatabaseUnavailable(exception)) {
    outages.unavailable(exception);
  } else if (problem.status >= 500 && !isDeliberate503(exception)) {
    logger.error({ err: exception, requestId }, 'request failed');
  }
  if (problem.status === HttpStatus.UNAUTHORIZED) {
    const bearerError = exception instanceof DomainError ? exception.bearerError : undefined;
    void reply.header('WWW-Authenticate', `Bearer realm="yello"${bearerError ? `, error="${bearerError}"` : ''}`);
  }
  const retryAfter = retryAfterSeconds(exception, problem.status);
  if (retryAfter !== undefined) void reply.header('Retry-After', String(retryAfter));
  void reply.status(problem.status).header('Content-Type', PROBLEM_CONTENT_TYPE).send(problem);
}

/**
 * The global exception filter: domain errors, Nest's HTTP exceptions, Fastify's parser
 * errors and database failures all leave as `application/problem+json`, never with a
 * stack trace or SQL. (Errors Fastify raises before routing take the same path through
 * its `frameworkErrors` hook, see `app.factory.ts`.)
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemDetailsFilter.name);

  constructor(private readonly outages: DatabaseOutages) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const context = host.switchToHttp();
    const request = context.getRequest<FastifyRequest>();
    sendProblem(context.getResponse<FastifyReply>(), request.id, exception, this.logger, this.outages);
  }
}
