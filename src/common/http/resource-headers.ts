import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { domainError, RequestValidationError } from './domain-error.js';

export const API_PREFIX = 'api/v1';

/** Served outside `API_PREFIX`: the probes, where orchestrators expect them. */
export const UNPREFIXED_ROUTES = ['health/live', 'health/ready'];

/** `Location` of a created resource, from its path below the API prefix. */
export function setLocation(reply: FastifyReply, ...segments: string[]): void {
  void reply.header('Location', `/${API_PREFIX}/${segments.map(encodeURIComponent).join('/')}`);
}

/** `ETag` of a versioned resource: its integer version, as a strong validator. */
export function setETag(reply: FastifyReply, version: number): void {
  void reply.header('ETag', `"${version}"`);
}

export class VersionMismatch extends domainError('precondition-failed', 'version-mismatch', 'Resource changed') {
  constructor(current: number) {
    super(`If-Match does not match the current version ("${current}"): read the resource again and retry`);
  }
}

/** Throws `VersionMismatch` unless the client's `If-Match` (when sent) names `current`. */
export function assertVersion(expected: number | undefined, current: number): void {
  if (expected !== undefined && expected !== current) throw new VersionMismatch(current);
}

const ENTITY_TAG = /^"(\d{1,9})"$/;

/**
 * The version a client's `If-Match` header names: `undefined` when absent or `*` (any
 * version), a 400 when it is not one ETag this API issued.
 */
export const IfMatch = createParamDecorator((_data: unknown, context: ExecutionContext): number | undefined => {
  const header = context.switchToHttp().getRequest<FastifyRequest>().headers['if-match'];
  if (header === undefined || header.trim() === '*') return undefined;
  const match = ENTITY_TAG.exec(header.trim());
  if (!match?.[1]) throw new RequestValidationError([{ path: 'If-Match', message: 'must be an ETag such as "3"' }]);
  return Number(match[1]);
});
