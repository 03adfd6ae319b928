/**
 * Priorities, weakest first. The PostgreSQL enum keeps this order, so `ORDER BY priority`
 * sorts by meaning (urgent > high > medium > low > none), not alphabetically.
 */
export const TASK_PRIORITIES = ['none', 'low', 'medium', 'high', 'urgent'] as const;
export type TaskPriority = (typeof TASK_PRIORITIES)[number];
