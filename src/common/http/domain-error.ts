/** What went wrong, in terms a client can act on; the exception filter maps each to a status. */
export type DomainErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'gone'
  | 'precondition-failed'
  | 'unprocessable'
  | 'rate-limited'
  | 'unavailable';

export interface FieldProblem {
  /** Dotted path of the offending field in the request (`title`, `labels.2`). */
  path: string;
  message: string;
  /** Of an item of a bulk request (`path` is `tasks.<index>`): its index, its reference, its own status and detail. */
  index?: number;
  task?: string;
  status?: number;
  detail?: string;
}

/**
 * Base of every error a service throws on purpose. Services speak the domain
 * (`EmailTaken`, `SessionRevoked`), never HTTP; `ProblemDetailsFilter` turns these
 * into RFC 9457 answers.
 */
export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;
  /** Stable, kebab-case identifier; becomes the problem `type` URI. */
  abstract readonly code: string;
  /** Short, human summary of the problem type (the same for every occurrence). */
  abstract readonly title: string;
  /** For a 401: the RFC 6750 `error` of the `WWW-Authenticate` challenge, if any. */
  readonly bearerError?: 'invalid_token';

  /** Members of the problem document beyond the standard ones (`taskCount`), if any. */
  get extensions(): Readonly<Record<string, number | string>> | undefined {
    return undefined;
  }

  constructor(
    /** Explanation specific to this occurrence; safe to show to the client. */
    readonly detail: string,
    readonly fields?: FieldProblem[],
  ) {
    super(detail);
  }
}

/**
 * Base class of one kind of domain error, so each error states its kind, code and title
 * in its `extends` clause: `class SlugTaken extends domainError('conflict', 'slug-taken', 'Slug already taken')`.
 */
export function domainError(kind: DomainErrorKind, code: string, title: string) {
  abstract class DefinedDomainError extends DomainError {
    readonly kind = kind;
    readonly code = code;
    readonly title = title;
  }
  return DefinedDomainError;
}

/** How many offending names an error lists: a hostile request can carry a thousand. */
export const MAX_LISTED_NAMES = 10;
/** Names are the client's own keys: an error echoes no more of each than this. */
const MAX_LISTED_NAME_LENGTH = 100;

const clip = (name: string): string =>
  name.length > MAX_LISTED_NAME_LENGTH ? `${name.slice(0, MAX_LISTED_NAME_LENGTH)}…` : name;

/** `a, b, c`, or `a, …, j and 5 more`: the first `MAX_LISTED_NAMES` names, each clipped. */
export function listNames(names: readonly string[]): string {
  const listed = names.slice(0, MAX_LISTED_NAMES).map(clip).join(', ');
  return names.length > MAX_LISTED_NAMES ? `${listed} and ${names.length - MAX_LISTED_NAMES} more` : listed;
}

/** The first `MAX_LISTED_NAMES` field problems, their paths clipped. */
export function listFieldProblems(fields: readonly FieldProblem[]): FieldProblem[] {
  return fields.slice(0, MAX_LISTED_NAMES).map((field) => ({ ...field, path: clip(field.path) }));
}

export class RequestValidationError extends domainError('invalid', 'validation-failed', 'Request validation failed') {
  constructor(fields: FieldProblem[]) {
    const paths = [...new Set(fields.map((field) => field.path))];
    super(`Invalid field${paths.length === 1 ? '' : 's'}: ${listNames(paths)}`, listFieldProblems(fields));
  }
}

export class RateLimited extends domainError('rate-limited', 'rate-limited', 'Too many requests') {
  constructor(readonly retryAfterSeconds: number) {
    super(`Rate limit exceeded; retry in ${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'}`);
  }
}

/** The server is at capacity for this kind of work (password hashing): answered 503 with `Retry-After`. */
export class ServiceBusy extends domainError('unavailable', 'service-busy', 'Service busy') {
  constructor(
    detail: string,
    readonly retryAfterSeconds: number,
  ) {
    super(detail);
  }
}
