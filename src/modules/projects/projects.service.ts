import { EntityManager, LockMode } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { generateNKeysBetween } from 'fractional-indexing';
import { assertVersion } from '../../common/http/resource-headers.js';
import { flushUnique } from '../../database/flush-unique.js';
import type { Page } from '../../common/pagination/page.dto.js';
import { PaginationService } from '../../common/pagination/pagination.service.js';
import { Transactions } from '../../database/transactions.js';
import { EventLog } from '../events/event-log.js';
import { changesBetween } from '../events/event-types.js';
import { Tenant } from '../tenants/entities/tenant.entity.js';
import type { TenantMembership } from '../tenants/tenant-membership.js';
import {
  ProjectDetailDto,
  ProjectDto,
  type CreateProjectDto,
  type ProjectListQueryDto,
  type UpdateProjectDto,
} from './dto/project.dto.js';
import { Project } from './entities/project.entity.js';
import { ProjectKeyTaken, ProjectNotFound } from './projects.errors.js';
import { ProjectState } from './states/entities/project-state.entity.js';
import { DEFAULT_STATES } from './states/workflow.js';

@Injectable()
export class ProjectsService {
  constructor(
    private readonly em: EntityManager,
    private readonly transactions: Transactions,
    private readonly pagination: PaginationService,
    private readonly events: EventLog,
  ) {}

  /** Creates a project with the default workflow states, in one transaction. */
  async create(caller: TenantMembership, input: CreateProjectDto): Promise<ProjectDto> {
    return this.transactions.run(async (em) => {
      const project = em.create(Project, {
        tenant: em.getReference(Tenant, caller.tenantId),
        key: input.key,
        name: input.name,
        description: input.description ?? null,
      });
      await flushUnique(em, () => new ProjectKeyTaken());
      const positions = generateNKeysBetween(null, null, DEFAULT_STATES.length);
      await em.getRepository(ProjectState).insertStates(
        caller.tenantId,
        project.id,
        DEFAULT_STATES.map((state, index) => ({ ...state, color: null, position: positions[index] ?? '' })),
      );
      const created = ProjectDto.from(project);
      this.events.record(caller, { type: 'project.created', projectId: project.id, data: { project: created } });
      return created;
    });
  }

  /** Active projects (or, with `archived`, the archived ones) by name. */
  list(caller: TenantMembership, query: ProjectListQueryDto): Promise<Page<ProjectDto>> {
    const archived = query.archived ?? false;
    return this.pagination.page(
      query,
      { scope: caller.tenantId, list: 'projects', sort: 'name', filters: { archived } },
      (window) =>
        this.em.findByCursor(Project, { ...window, where: { archived }, orderBy: { name: 'asc', id: 'asc' } }),
      (project) => ProjectDto.from(project),
    );
  }

  async get(caller: TenantMembership, projectId: string): Promise<ProjectDetailDto> {
    const project = await this.load(this.em, projectId);
    const counts = await this.em.getRepository(Project).countTasksByState(caller.tenantId, project.id);
    return { ...ProjectDto.from(project), taskCounts: Object.fromEntries(counts.map((row) => [row.key, row.count])) };
  }

  async update(
    caller: TenantMembership,
    projectId: string,
    changes: UpdateProjectDto,
    ifMatch?: number,
  ): Promise<ProjectDto> {
    return this.transactions.run(async (em) => {
      // `FOR NO KEY UPDATE`: new tasks and history rows referencing the project are not blocked.
      if (!(await em.getRepository(Project).lock(caller.tenantId, projectId))) throw new ProjectNotFound();
      const project = await this.load(em, projectId);
      assertVersion(ifMatch, project.version);
      const before = ProjectDto.from(project);
      em.assign(project, changes);
      await em.flush();
      const after = ProjectDto.from(project);
      const changed = changesBetween(before, after, ['name', 'description', 'archived']);
      if (Object.keys(changed).length > 0) {
        this.events.record(caller, {
          type: 'project.updated',
          projectId,
          data: { project: after, changes: changed },
        });
      }
      return after;
    });
  }

  /** One statement: its tasks, comments, label links and history go with it (ON DELETE CASCADE). */
  async delete(caller: TenantMembership, projectId: string, ifMatch?: number): Promise<void> {
    await this.transactions.run(async (em) => {
      const project = await this.load(em, projectId, LockMode.PESSIMISTIC_WRITE);
      assertVersion(ifMatch, project.version);
      await em.nativeDelete(Project, { id: project.id });
      this.events.record(caller, { type: 'project.deleted', projectId, data: { project: ProjectDto.from(project) } });
    });
  }

  private async load(em: EntityManager, projectId: string, lockMode?: LockMode): Promise<Project> {
    const project = await em.findOne(Project, { id: projectId }, lockMode ? { lockMode, refresh: true } : {});
    if (!project) throw new ProjectNotFound();
    return project;
  }
}
