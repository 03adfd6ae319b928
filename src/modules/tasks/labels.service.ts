import { EntityManager, LockMode } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { flushUnique } from '../../database/flush-unique.js';
import type { Page } from '../../common/pagination/page.dto.js';
import type { PageQueryDto } from '../../common/pagination/page-query.dto.js';
import { PaginationService } from '../../common/pagination/pagination.service.js';
import { Tenant } from '../tenants/entities/tenant.entity.js';
import type { TenantMembership } from '../tenants/tenant-membership.js';
import { Transactions } from '../../database/transactions.js';
import { EventLog } from '../events/event-log.js';
import { changesBetween } from '../events/event-types.js';
import { appendActivities } from './activity.js';
import { LabelDto, type CreateLabelDto, type UpdateLabelDto } from './dto/label.dto.js';
import { Label } from './entities/label.entity.js';
import { Task } from './entities/task.entity.js';
import { LabelNameTaken, LabelNotFound } from './tasks.errors.js';
import { TasksService } from './tasks.service.js';

@Injectable()
export class LabelsService {
  constructor(
    private readonly em: EntityManager,
    private readonly transactions: Transactions,
    private readonly pagination: PaginationService,
    private readonly tasks: TasksService,
    private readonly events: EventLog,
  ) {}

  async create(caller: TenantMembership, input: CreateLabelDto): Promise<LabelDto> {
    return this.transactions.run(async (em) => {
      const label = em.create(Label, {
        tenant: em.getReference(Tenant, caller.tenantId),
        name: input.name,
        color: input.color,
      });
      await flushUnique(em, () => new LabelNameTaken());
      const created = LabelDto.from(label);
      this.events.record(caller, { type: 'label.created', data: { label: created } });
      return created;
    });
  }

  /** The tenant's labels by name. */
  list(caller: TenantMembership, query: PageQueryDto): Promise<Page<LabelDto>> {
    return this.pagination.page(
      query,
      { scope: caller.tenantId, list: 'labels', sort: 'name' },
      (window) => this.em.findByCursor(Label, { ...window, orderBy: { name: 'asc', id: 'asc' } }),
      (label) => LabelDto.from(label),
    );
  }

  async get(_caller: TenantMembership, labelId: string): Promise<LabelDto> {
    return LabelDto.from(await this.load(this.em, labelId));
  }

  async update(caller: TenantMembership, labelId: string, changes: UpdateLabelDto): Promise<LabelDto> {
    return this.transactions.run(async (em) => {
      const label = await this.load(em, labelId);
      const before = LabelDto.from(label);
      em.assign(label, changes);
      await flushUnique(em, () => new LabelNameTaken());
      const after = LabelDto.from(label);
      const changed = changesBetween(before, after, ['name', 'color']);
      if (Object.keys(changed).length > 0) {
        this.events.record(caller, { type: 'label.updated', data: { label: after, changes: changed } });
      }
      return after;
    });
  }

  /**
   * Deletes a label: it comes off every task, and each of those tasks records it and gets a
   * new version. The label is locked first (`FOR UPDATE`): a link being written to it
   * meanwhile finishes before (and is counted here) or waits and then finds no label.
   */
  async delete(caller: TenantMembership, labelId: string): Promise<void> {
    await this.transactions.run(async (em) => {
      const label = await em.findOne(Label, { id: labelId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!label) throw new LabelNotFound();
      const touched = await em.getRepository(Task).touchLabelled(caller.tenantId, label.id, new Date());
      await appendActivities(
        em,
        touched.map((task) => ({
          subject: { tenantId: caller.tenantId, projectId: task.projectId, taskId: task.id, actorId: caller.userId },
          change: { action: 'label_removed', field: 'labelIds', from: label.id },
        })),
      );
      await em.nativeDelete(Label, { id: label.id });
      await this.tasks.recordUpdates(em, caller, touched, (task) => ({
        labelIds: { from: [...task.labelIds, label.id].sort(), to: task.labelIds },
      }));
      this.events.record(caller, { type: 'label.deleted', data: { label: LabelDto.from(label) } });
    });
  }

  private async load(em: EntityManager, labelId: string): Promise<Label> {
    const label = await em.findOne(Label, { id: labelId });
    if (!label) throw new LabelNotFound();
    return label;
  }
}
