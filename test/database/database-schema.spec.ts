import { ReferenceKind } from '@mikro-orm/core';
import { IdempotencyRecord } from '../../src/common/idempotency/idempotency-record.entity.js';
import { RateLimitCounter } from '../../src/common/rate-limit/rate-limit-counter.entity.js';
import type { EntityTables } from '../../src/database/database-schema.js';
import { sqlOf } from '../../src/database/typed-sql.js';
import { ApiToken } from '../../src/modules/api-tokens/entities/api-token.entity.js';
import { AccountToken } from '../../src/modules/auth/entities/account-token.entity.js';
import { RefreshToken } from '../../src/modules/auth/entities/refresh-token.entity.js';
import { Session } from '../../src/modules/auth/entities/session.entity.js';
import { EventCounter } from '../../src/modules/events/entities/event-counter.entity.js';
import { TenantEvent } from '../../src/modules/events/entities/tenant-event.entity.js';
import { Project } from '../../src/modules/projects/entities/project.entity.js';
import { ActivityEvent } from '../../src/modules/tasks/entities/activity-event.entity.js';
import { Comment } from '../../src/modules/tasks/entities/comment.entity.js';
import { Label } from '../../src/modules/tasks/entities/label.entity.js';
import { TaskLabel } from '../../src/modules/tasks/entities/task-label.entity.js';
import { TaskRelation } from '../../src/modules/tasks/entities/task-relation.entity.js';
import { Task } from '../../src/modules/tasks/entities/task.entity.js';
import { ProjectState } from '../../src/modules/projects/states/entities/project-state.entity.js';
import { Invitation } from '../../src/modules/tenants/entities/invitation.entity.js';
import { Membership } from '../../src/modules/tenants/entities/membership.entity.js';
import { Tenant } from '../../src/modules/tenants/entities/tenant.entity.js';
import { User } from '../../src/modules/users/entities/user.entity.js';
import { WebhookDelivery } from '../../src/modules/webhooks/entities/webhook-delivery.entity.js';
import { Webhook } from '../../src/modules/webhooks/entities/webhook.entity.js';
import { registerUser } from '../factories/users.js';
import { useTestApp } from '../support/test-app.js';

/** The compiler holds each table name to its entity class; the test holds both to the mapping. */
const ENTITY_TABLES: EntityTables = {
  account_tokens: AccountToken,
  activity_events: ActivityEvent,
  api_tokens: ApiToken,
  comments: Comment,
  event_counters: EventCounter,
  events: TenantEvent,
  idempotency_keys: IdempotencyRecord,
  invitations: Invitation,
  labels: Label,
  memberships: Membership,
  project_states: ProjectState,
  projects: Project,
  rate_limit_counters: RateLimitCounter,
  refresh_tokens: RefreshToken,
  sessions: Session,
  task_labels: TaskLabel,
  task_relations: TaskRelation,
  tasks: Task,
  tenants: Tenant,
  users: User,
  webhook_deliveries: WebhookDelivery,
  webhooks: Webhook,
};

/** The column name `Database` gives a property (MikroORM's `SnakeCase` at the type level). */
const snakeCase = (name: string): string => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

describe('the Kysely schema (`Database`)', () => {
  const t = useTestApp();

  it('names every table and column as the entity metadata maps them', () => {
    const metadata = t.orm.getMetadata();
    for (const [table, entity] of Object.entries(ENTITY_TABLES)) {
      const meta = metadata.getByClassName(entity.name); // the app's own class is another one (see built.ts)
      expect(`${meta.className}: ${meta.tableName}`).toBe(`${meta.className}: ${table}`);
      for (const prop of meta.props) {
        if (prop.persist === false) continue;
        const inferred =
          prop.kind === ReferenceKind.SCALAR || prop.kind === ReferenceKind.EMBEDDED
            ? [snakeCase(prop.name)]
            : prop.kind === ReferenceKind.MANY_TO_ONE || (prop.kind === ReferenceKind.ONE_TO_ONE && prop.owner)
              ? prop.targetMeta?.primaryKeys.map((key) => `${snakeCase(prop.name)}_${snakeCase(key)}`)
              : undefined;
        if (inferred === undefined) continue;
        expect(`${table}.${prop.name}: ${prop.fieldNames.join(', ')}`).toBe(
          `${table}.${prop.name}: ${inferred.join(', ')}`,
        );
      }
    }
  });

  it('reads rows with the types it declares (timestamps as text)', async () => {
    const user = await registerUser(t.http);
    const em = t.orm.em.fork();
    const row = await sqlOf(em)
      .selectFrom('users')
      .where('id', '=', user.id)
      .select(['email', 'created_at'])
      .executeTakeFirstOrThrow();
    expect(row.email).toBe(user.email);
    expect(typeof row.created_at).toBe('string');
    expect(Number.isNaN(Date.parse(row.created_at))).toBe(false);
  });

  it('rejects a column the table does not have, at compile time', () => {
    const em = t.orm.em.fork();
    // @ts-expect-error: `users` has no `tenant_id` (tsc fails here if `Database` stopped being checked)
    const query = sqlOf(em).selectFrom('users').select('tenant_id');
    expect(query.compile().sql).toBe('select "tenant_id" from "users"');
  });
});
