import { EntityManager, LockMode } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { flushUnique } from '../../database/flush-unique.js';
import type { Page } from '../../common/pagination/page.dto.js';
import type { PageQueryDto } from '../../common/pagination/page-query.dto.js';
import { PaginationService } from '../../common/pagination/pagination.service.js';
import { Tenant } from '../tenants/entities/tenant.entity.js';
import type { TenantMembership } from '../tenants/tenant-membership.js';
import { Transactions } from '../../database/transactions.js';
import { appendActivities } from './activity.js';
import { LabelDto, type CreateLabelDto, type UpdateLabelDto } from './dto/label.dto.js';
import { Label } from './entities/label.entity.js';
import { Task } from './entities/task.entity.js';
import { LabelNameTaken, LabelNotFound } from './tasks.errors.js';

@Injectable()
export class LabelsService {
  constructor(
    private readonly em: EntityManager,
    private readonly transactions: Transactions,
    private readonly pagination: PaginationService,
  ) {}

  async create(caller: TenantMembership, input: CreateLabelDto): Promise<LabelDto> {
    const label = this.em.create(Label, {
      tenant: this.em.getReference(Tenant, caller.tenantId),
      name: input.name,
      color: input.color,
    });
    await flushUnique(this.em, () => new LabelNameTaken());
    return LabelDto.from(label);
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

  async update(_caller: TenantMembership, labelId: string, changes: UpdateLabelDto): Promise<LabelDto> {
    const label = await this.load(this.em, labelId);
    this.em.assign(label, changes);
    await flushUnique(this.em, () => new LabelNameTaken());
    return LabelDto.from(label);
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
    });
  }

  private async load(em: EntityManager, labelId: string): Promise<Label> {
    const label = await em.findOne(Label, { id: labelId });
    if (!label) throw new LabelNotFound();
    return label;
  }
}
