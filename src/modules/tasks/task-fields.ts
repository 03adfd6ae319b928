/** Workflow states of a task, in board order (also the order of the PostgreSQL enum). */
export const TASK_STATUSES = ['backlog', 'todo', 'in_progress', 'in_review', 'done', 'canceled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/**
 * Priorities, weakest first. The PostgreSQL enum keeps this order, so `ORDER BY priority`
 * sorts by meaning (urgent > high > medium > low > none), not alphabetically.
 */
export const TASK_PRIORITIES = ['none', 'low', 'medium', 'high', 'urgent'] as const;
export type TaskPriority = (typeof TASK_PRIORITIES)[number];
