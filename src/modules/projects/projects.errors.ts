import { domainError } from '../../common/http/domain-error.js';

export class ProjectNotFound extends domainError('not-found', 'project-not-found', 'Project not found') {
  constructor() {
    super('No project with this id in this tenant');
  }
}

export class ProjectKeyTaken extends domainError('conflict', 'project-key-taken', 'Project key already taken') {
  constructor() {
    super('Another project of this tenant already uses this key', [{ path: 'key', message: 'is already taken' }]);
  }
}

export class ProjectArchived extends domainError('conflict', 'project-archived', 'Project archived') {
  constructor() {
    super('The project is archived: unarchive it to add tasks');
  }
}
