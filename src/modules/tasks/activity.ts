import type { EntityManager } from '@mikro-orm/postgresql';
import { Project } from '../projects/entities/project.entity.js';
import { Tenant } from '../tenants/entities/tenant.entity.js';
import { User } from '../users/entities/user.entity.js';
import { ActivityEvent, type ActivityAction } from './entities/activity-event.entity.js';

/** Who changed which task: the context every event of one change shares. */
export interface ActivitySubject {
  tenantId: string;
  projectId: string;
  taskId: string;
  actorId: string;
}

/**
 * Appends an event to the activity log through `em`, so it is flushed in the transaction
 * of the change it describes.
 */
export function recordActivity(
  em: EntityManager,
  subject: ActivitySubject,
  action: ActivityAction,
  change: { field?: string; from?: string | null; to?: string | null } = {},
): void {
  em.create(ActivityEvent, {
    tenant: em.getReference(Tenant, subject.tenantId),
    project: em.getReference(Project, subject.projectId),
    taskId: subject.taskId,
    actor: em.getReference(User, subject.actorId),
    action,
    field: change.field ?? null,
    from: change.from ?? null,
    to: change.to ?? null,
  });
}
