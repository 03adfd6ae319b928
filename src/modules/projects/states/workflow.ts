/**
 * What a workflow state means, whatever a project calls it; in board order (also the order
 * of the PostgreSQL enum). A state's category never changes.
 */
export const STATE_CATEGORIES = ['backlog', 'unstarted', 'started', 'completed', 'canceled'] as const;
export type StateCategory = (typeof STATE_CATEGORIES)[number];

/** Categories of work that is over: a blocker in one of them blocks nothing any more. */
export const CLOSED_CATEGORIES = ['completed', 'canceled'] as const satisfies readonly StateCategory[];

/** Categories a project always keeps a state of: a task can always be opened and finished. */
export const REQUIRED_CATEGORIES = ['unstarted', 'completed'] as const satisfies readonly StateCategory[];

/** A board has at most this many columns. */
export const MAX_STATES_PER_PROJECT = 50;

/** A state key: lower-case, stable, unique in its project (a task's `status`). */
export const STATE_KEY_PATTERN = '^[a-z][a-z0-9_]{0,31}$';

/** The states every project starts with, in board order: the six statuses Yello always had. */
export const DEFAULT_STATES: readonly {
  key: string;
  name: string;
  category: StateCategory;
  isDefault: boolean;
}[] = [
  { key: 'backlog', name: 'Backlog', category: 'backlog', isDefault: false },
  { key: 'todo', name: 'To do', category: 'unstarted', isDefault: true },
  { key: 'in_progress', name: 'In progress', category: 'started', isDefault: false },
  { key: 'in_review', name: 'In review', category: 'started', isDefault: false },
  { key: 'done', name: 'Done', category: 'completed', isDefault: false },
  { key: 'canceled', name: 'Canceled', category: 'canceled', isDefault: false },
];
