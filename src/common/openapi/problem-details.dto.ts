import type { FieldProblem } from '../http/domain-error.js';
import type { ProblemDetails } from '../http/problem-details.filter.js';

export class FieldProblemDto implements FieldProblem {
  /**
   * Dotted path of the offending field.
   * @example email
   */
  path!: string;
  /**
   * @example "must be an email address"
   */
  message!: string;
  /** Bulk changes: the index (from 0) of the item that failed. */
  index?: number;
  /** Bulk changes: the item's task reference, as sent. */
  task?: string;
  /** Bulk changes: the status the item alone would have had. */
  status?: number;
  /** Bulk changes: why the item failed. */
  detail?: string;
}

/** RFC 9457 problem details, sent as `application/problem+json`. */
export class ProblemDetailsDto implements ProblemDetails {
  /**
   * Problem type URI; `about:blank` when the status says it all.
   * @example urn:yello:problem:validation-failed
   */
  type!: string;
  /**
   * Short summary of the problem type, the same for every occurrence.
   * @example "Request validation failed"
   */
  title!: string;
  /**
   * The HTTP status code.
   * @example 400
   */
  status!: number;
  /**
   * What went wrong this time, safe to show.
   * @example "Invalid field: email"
   */
  detail!: string;
  /**
   * Id of this request, as in the `X-Request-Id` header and the logs.
   * @example 6f1c2a9e-3b7d-4e8a-9c0f-5d2b7a1e4c3f
   */
  requestId!: string;
  /** On `state-not-empty` (409): how many tasks are in the state. */
  taskCount?: number;
  /** Field-level problems: on validation failures (400) and on conflicts naming a field (409). */
  errors?: FieldProblemDto[];
}
