import type { FieldProblem } from '../http/domain-error.js';
import type { ProblemDetails } from '../http/problem-details.filter.js';

export class FieldProblemDto implements FieldProblem {
  /** Dotted path of the offending field. @example email */
  path!: string;
  /** @example must be an email address */
  message!: string;
}

/** RFC 9457 problem details, sent as `application/problem+json`. */
export class ProblemDetailsDto implements ProblemDetails {
  /** Problem type URI; `about:blank` when the status says it all. @example urn:yello:problem:validation-failed */
  type!: string;
  /** @example Request validation failed */
  title!: string;
  /** @example 400 */
  status!: number;
  /** @example Invalid field: email */
  detail!: string;
  /** Id of this request, as in the `X-Request-Id` header and the logs. */
  requestId!: string;
  /** Field-level problems, for validation errors. */
  errors?: FieldProblemDto[];
}
