import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { Transactions, type TransactionScope } from '../../database/transactions.js';
import { TenantEvent } from './entities/tenant-event.entity.js';
import type { AppendStep, EventRow } from './event.repository.js';
import type { EventData, EventType } from './event-types.js';

/** Who made a change in a tenant: a member (maybe with an API token), or Yello itself (`userId` null). */
export interface EventActor {
  tenantId: string;
  userId: string | null;
  tokenId?: string;
}

export interface NewEvent {
  type: EventType;
  projectId?: string | null;
  data: EventData;
}

/**
 * The tenant event log, written as a transactional outbox: code that changes something
 * records its events in the change's transaction; they are numbered and inserted when the
 * transaction's own work is done, just before it commits. Numbering there makes the
 * tenant's counter row the last lock of every transaction (see the README's lock order) and
 * holds it for the shortest time: `seq` follows commit order without gaps, at the cost of
 * one tenant's writers committing one at a time through that row (one statement and the
 * commit long: the append, with its steps, is a single statement, and the COMMIT follows it
 * on the wire without waiting for its answer).
 * A sequence would not do: its numbers are taken in start order and lost on rollback.
 */
@Injectable()
export class EventLog {
  private readonly pending = new WeakMap<TransactionScope, Map<string, EventRow[]>>();
  private readonly steps: AppendStep[] = [];

  constructor(private readonly transactions: Transactions) {}

  /** Records events of the running transaction (see `Transactions.run`). */
  record(actor: EventActor, ...events: NewEvent[]): void {
    const scope = this.transactions.current();
    let byTenant = this.pending.get(scope);
    if (!byTenant) {
      const queued = new Map<string, EventRow[]>();
      this.pending.set(scope, queued);
      scope.beforeCommit((em) => this.append(em, scope, queued));
      byTenant = queued;
    }
    const rows = byTenant.get(actor.tenantId) ?? [];
    byTenant.set(actor.tenantId, rows);
    const occurredAt = new Date();
    for (const event of events) {
      rows.push({
        id: uuidv7(),
        type: event.type,
        occurredAt,
        actorUserId: actor.userId,
        actorTokenId: actor.tokenId ?? null,
        projectId: event.projectId ?? null,
        data: event.data,
      });
    }
  }

  /**
   * Adds work to every append of a tenant's events: a step of the append statement
   * (`AppendStep`), so it commits with the events and costs no round trip (webhooks queue
   * their deliveries there).
   */
  onAppend(step: AppendStep): void {
    this.steps.push(step);
  }

  private async append(
    em: EntityManager,
    scope: TransactionScope,
    byTenant: ReadonlyMap<string, readonly EventRow[]>,
  ): Promise<void> {
    // Tenants in id order: two transactions appending to the same two tenants lock alike.
    const tenants = [...byTenant.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [tenantId, rows] of tenants) {
      if (rows.length === 0) continue;
      const { appended } = await em.getRepository(TenantEvent).append(tenantId, rows, this.steps);
      scope.commitsBehind(appended);
    }
  }
}
