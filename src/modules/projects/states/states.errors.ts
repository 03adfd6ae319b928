import { domainError } from '../../../common/http/domain-error.js';

export class StateNotFound extends domainError('not-found', 'state-not-found', 'State not found') {
  constructor() {
    super('No workflow state with this id in this project');
  }
}

export class InvalidStateReference extends domainError('invalid', 'invalid-state-reference', 'Invalid state') {
  constructor(path: string) {
    super(`${path} must be another state of this project`, [
      { path, message: 'must be another state of this project' },
    ]);
  }
}

export class StateKeyTaken extends domainError('conflict', 'state-key-taken', 'State key already taken') {
  constructor() {
    super('Another state of this project has this key', [{ path: 'key', message: 'is already taken' }]);
  }
}

export class TooManyStates extends domainError('conflict', 'too-many-states', 'Too many states') {
  constructor(max: number) {
    super(`A project has at most ${max} workflow states`);
  }
}

export class DefaultStateKept extends domainError('conflict', 'default-state', 'The default state stays') {
  constructor() {
    super('The default state cannot be deleted: make another state the default first');
  }
}

export class LastStateOfCategory extends domainError('conflict', 'last-state-of-category', 'Last state of its kind') {
  constructor(category: string) {
    super(`The project's last state of category ${category} cannot be deleted`);
  }
}

export class StateNotEmpty extends domainError('conflict', 'state-not-empty', 'State has tasks') {
  constructor(readonly taskCount: number) {
    super(`${taskCount} task${taskCount === 1 ? ' is' : 's are'} in this state: name a moveTo state for them`);
  }

  override get extensions(): Record<string, number> {
    return { taskCount: this.taskCount };
  }
}
