import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { flushUnique } from '../../database/flush-unique.js';
import type { Page } from '../../common/pagination/page.dto.js';
import type { PageQueryDto } from '../../common/pagination/page-query.dto.js';
import { PaginationService } from '../../common/pagination/pagination.service.js';
import { Tenant } from '../tenants/entities/tenant.entity.js';
import type { TenantMembership } from '../tenants/tenant-membership.js';
import { recordActivity } from './activity.js';
import { LabelDto, type CreateLabelDto, type UpdateLabelDto } from './dto/label.dto.js';
import { Label } from './entities/label.entity.js';
import { TaskLabel } from './entities/task-label.entity.js';
import { LabelNameTaken, LabelNotFound } from './tasks.errors.js';

@Injectable()
export class LabelsService {
  constructor(
    private readonly em: EntityManager,
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

  /** Deletes a label: it comes off every task, and each of those tasks records it. */
  async delete(caller: TenantMembership, labelId: string): Promise<void> {
    await this.em.transactional(async (em) => {
      const label = await this.load(em, labelId);
      for (const link of await em.find(TaskLabel, { label }, { populate: ['task'] })) {
        const subject = {
          tenantId: caller.tenantId,
          projectId: link.task.project.id,
          taskId: link.task.id,
          actorId: caller.userId,
        };
        recordActivity(em, subject, 'label_removed', { field: 'labelIds', from: label.id });
        link.task.updatedAt = new Date(); // a new version (and ETag) for each task that loses it
      }
      await em.flush();
      await em.nativeDelete(Label, { id: label.id });
    });
  }

  private async load(em: EntityManager, labelId: string): Promise<Label> {
    const label = await em.findOne(Label, { id: labelId });
    if (!label) throw new LabelNotFound();
    return label;
  }
}
