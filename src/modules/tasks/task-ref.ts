import { validate as isUuid } from 'uuid';
import { RequestValidationError } from '../../common/http/domain-error.js';

/** How a route names a task: its UUID, or its key (`YEL-42`, any case). */
export type TaskRef = { id: string } | { key: string };

const TASK_KEY = /^([A-Za-z][A-Za-z0-9]{1,9})-([1-9][0-9]{0,8})$/;

/** What a `taskRef` may look like, for the OpenAPI document: a UUID or a task key. */
export const TASK_REF_PATTERN =
  '^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[A-Za-z][A-Za-z0-9]{1,9}-[1-9][0-9]{0,8})$';

/** The task a `taskRef` path segment names, or null when it is neither a UUID nor a key. */
export function parseTaskRef(ref: string): TaskRef | null {
  if (isUuid(ref)) return { id: ref.toLowerCase() };
  const match = TASK_KEY.exec(ref);
  if (!match?.[1] || !match[2]) return null;
  return { key: `${match[1].toUpperCase()}-${match[2]}` };
}

/** The task a path segment or body field names; neither a UUID nor a key is a 400 naming `path`. */
export function requireTaskRef(ref: string, path = 'taskRef'): TaskRef {
  const parsed = parseTaskRef(ref);
  if (!parsed) throw new RequestValidationError([{ path, message: 'must be a task id (UUID) or key such as YEL-42' }]);
  return parsed;
}
