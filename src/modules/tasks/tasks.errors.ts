import { DomainError, domainError, type DomainErrorKind } from '../../common/http/domain-error.js';

export class TaskNotFound extends domainError('not-found', 'task-not-found', 'Task not found') {
  constructor() {
    super('No task with this id or key in this tenant');
  }
}

/** A reference in a task's body that does not resolve in this tenant (or breaks a rule). */
export class InvalidTaskReference extends domainError('invalid', 'invalid-task-reference', 'Invalid reference') {
  constructor(path: string, message: string) {
    super(`${path} ${message}`, [{ path, message }]);
  }
}

export class UnknownStatus extends domainError('invalid', 'unknown-status', 'Unknown status') {
  constructor(keys: readonly string[]) {
    super(`status must be a state of the task's project: ${keys.join(', ')}`, [
      { path: 'status', message: `must be one of ${keys.join(', ')}` },
    ]);
  }
}

export class NotTaskReporter extends domainError('forbidden', 'not-task-reporter', 'Not your task') {
  constructor() {
    super('Members may delete only the tasks they reported; admins and owners may delete any');
  }
}

export class LabelNotFound extends domainError('not-found', 'label-not-found', 'Label not found') {
  constructor() {
    super('No label with this id in this tenant');
  }
}

export class LabelNameTaken extends domainError('conflict', 'label-name-taken', 'Label name already taken') {
  constructor() {
    super('Another label of this tenant has this name (names are compared case-insensitively)', [
      { path: 'name', message: 'is already taken' },
    ]);
  }
}

export class CommentNotFound extends domainError('not-found', 'comment-not-found', 'Comment not found') {
  constructor() {
    super('No comment with this id on this task');
  }
}

export class NotCommentAuthor extends domainError('forbidden', 'not-comment-author', 'Not your comment') {
  constructor(action: 'edit' | 'delete') {
    super(
      action === 'edit' ? 'Only its author can edit a comment' : 'Only its author or an admin can delete a comment',
    );
  }
}

export class RelationNotFound extends domainError('not-found', 'relation-not-found', 'Relation not found') {
  constructor() {
    super('No relation with this id on this task');
  }
}

export class BlocksCycle extends domainError('conflict', 'blocks-cycle', 'The tasks would block each other') {
  constructor() {
    super('The other task already blocks this one, directly or through other tasks: the relation would close a cycle');
  }
}

export class AlreadyDuplicate extends domainError('conflict', 'already-duplicate', 'Already a duplicate') {
  constructor() {
    super('The task is already marked the duplicate of another task; remove that relation first');
  }
}

/** An atomic bulk change refused: nothing changed; `errors` names the item(s) that failed. */
export class BulkChangeFailed extends DomainError {
  readonly code = 'bulk-change-failed';
  readonly title = 'Bulk change refused';

  constructor(
    readonly kind: DomainErrorKind,
    failures: readonly { index: number; task: string; status: number; detail: string }[],
  ) {
    const [first] = failures;
    super(
      failures.length === 1 && first
        ? `No task was changed: ${first.task}: ${first.detail}`
        : `No task was changed: ${failures.length} of them could not be (see errors)`,
      failures.map((failure) => ({ path: `tasks.${failure.index}`, message: failure.detail, ...failure })),
    );
  }
}
