import { Injectable, Logger, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { catchError, concatMap, from, of, throwError, type Observable } from 'rxjs';
import { isPrincipal } from '../auth/authenticated-user.js';
import { canonicalJson } from '../canonical-json.js';
import { RequestValidationError } from '../http/domain-error.js';
import type { ReplayedHeaders } from './idempotency-record.entity.js';
import { IdempotencyService, type IdempotencyClaim } from './idempotency.service.js';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

const ACCEPTED_KEY = /^[\x20-\x7E]{1,255}$/;
const REPLAYED_HEADER_NAMES = ['location', 'etag'] as const;

/** The request's `Idempotency-Key`, or undefined without one; a malformed one is a 400. */
function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const value = request.headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()];
  if (value === undefined) return undefined;
  if (typeof value === 'string' && ACCEPTED_KEY.test(value)) return value;
  throw new RequestValidationError([
    { path: IDEMPOTENCY_KEY_HEADER, message: 'must be 1 to 255 printable ASCII characters' },
  ]);
}

/** What makes two requests "the same": method, URL as called (path and query) and body (in any key order). */
function fingerprintOf(request: FastifyRequest): string {
  return createHash('sha256')
    .update(`${request.method} ${request.url}\n${canonicalJson(request.body)}`)
    .digest('hex');
}

function replayedHeadersOf(reply: FastifyReply): ReplayedHeaders {
  const headers: ReplayedHeaders = {};
  for (const name of REPLAYED_HEADER_NAMES) {
    const value = reply.getHeader(name);
    if (value !== undefined) headers[name] = String(value);
  }
  return headers;
}

/**
 * The interceptor of `@Idempotent()` routes: with an `Idempotency-Key`, the first request
 * claims the key and runs; its response is stored and replayed to every later request with
 * the same key and body for 24 hours. A failed request releases its key. Requests without
 * the header pass straight through.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger(IdempotencyInterceptor.name);

  constructor(private readonly idempotency: IdempotencyService) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const key = idempotencyKeyOf(request);
    if (key === undefined) return next.handle();
    if (!isPrincipal(request.user)) {
      throw new Error(
        `${context.getClass().name}.${context.getHandler().name}: @Idempotent() needs an authenticated route`,
      );
    }

    const reply = http.getResponse<FastifyReply>();
    const outcome = await this.idempotency.claim({
      userId: request.user.userId,
      key,
      fingerprint: fingerprintOf(request),
    });
    if (outcome.kind === 'replay') {
      const { status, headers, body } = outcome.response;
      void reply.status(status).headers({ ...headers, [IDEMPOTENT_REPLAYED_HEADER]: 'true' });
      return of(body === null ? undefined : body);
    }
    const { claim } = outcome;
    return next.handle().pipe(
      concatMap(async (body: unknown) => {
        await this.complete(claim, reply, body);
        return body;
      }),
      catchError((error: unknown) => from(this.release(claim)).pipe(concatMap(() => throwError(() => error)))),
    );
  }

  /**
   * Stores the response for replays. On failure the response is still sent: the
   * resource exists, so the client must learn of it (the key stays claimed until the
   * claim counts as abandoned).
   */
  private complete(claim: IdempotencyClaim, reply: FastifyReply, body: unknown): Promise<void> {
    // Nest sets the route's status (201, or its @HttpCode) before the handler, which may change it.
    const response = { status: reply.statusCode, body, headers: replayedHeadersOf(reply) };
    return this.logFailure(this.idempotency.complete(claim, response), 'could not store an idempotent response');
  }

  /** Frees the key of a failed request; on failure the request's own error is still sent. */
  private release(claim: IdempotencyClaim): Promise<void> {
    return this.logFailure(
      this.idempotency.release(claim),
      'could not release the idempotency key of a failed request',
    );
  }

  /** Key bookkeeping never replaces the outcome of the request itself. */
  private async logFailure(work: Promise<void>, message: string): Promise<void> {
    try {
      await work;
    } catch (error) {
      this.logger.error({ err: error }, message);
    }
  }
}
