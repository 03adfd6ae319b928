import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { generateKeyBetween } from 'fractional-indexing';
import { RequestValidationError } from '../../../common/http/domain-error.js';
import { boardColumnLockOf } from '../../../database/advisory-locks.js';
import { isUniqueViolation, Transactions } from '../../../database/transactions.js';
import { EventLog } from '../../events/event-log.js';
import { changesBetween } from '../../events/event-types.js';
import type { TenantMembership } from '../../tenants/tenant-membership.js';
import { Project } from '../entities/project.entity.js';
import { ProjectNotFound } from '../projects.errors.js';
import { StateDto, StateListDto, type CreateStateDto, type UpdateStateDto } from './dto/state.dto.js';
import { ProjectState } from './entities/project-state.entity.js';
import type { ProjectStateRepository, StateRow } from './project-state.repository.js';
import { StateTasksMustMove } from './state-events.js';
import {
  DefaultStateKept,
  InvalidStateReference,
  LastStateOfCategory,
  StateKeyTaken,
  StateNotEmpty,
  StateNotFound,
  TooManyStates,
} from './states.errors.js';
import { MAX_STATES_PER_PROJECT, REQUIRED_CATEGORIES } from './workflow.js';

/** The unique constraint on state keys (tenant, project, key). */
const KEY_CONSTRAINT = 'project_states_tenant_id_project_id_key_unique';

type BoardPlacement = Pick<CreateStateDto, 'moveBefore' | 'moveAfter'>;

/**
 * A project's workflow states. Every change locks the project row first (`FOR NO KEY
 * UPDATE`, the project step of the lock order), so the state changes of a project run one
 * at a time, and task creates (which take the same row to number the task) wait for them.
 */
@Injectable()
export class StatesService {
  constructor(
    private readonly em: EntityManager,
    private readonly transactions: Transactions,
    private readonly domainEvents: EventEmitter2,
    private readonly events: EventLog,
  ) {}

  async list(caller: TenantMembership, projectId: string): Promise<StateListDto> {
    if (!(await this.em.getRepository(Project).exists(caller.tenantId, projectId))) throw new ProjectNotFound();
    const states = await this.em.getRepository(ProjectState).listOf(caller.tenantId, projectId);
    return { data: states.map((state) => StateDto.from(state)) };
  }

  async create(caller: TenantMembership, projectId: string, input: CreateStateDto): Promise<StateDto> {
    return this.transactions.run(async (em) => {
      const { states, board } = await this.lockBoard(em, caller, projectId);
      if (board.length >= MAX_STATES_PER_PROJECT) throw new TooManyStates(MAX_STATES_PER_PROJECT);
      if (board.some((state) => state.key === input.key)) throw new StateKeyTaken();
      const state = {
        key: input.key,
        name: input.name,
        category: input.category,
        color: input.color ?? null,
        position: placeOnBoard(board, input),
        isDefault: false,
      };
      let id: string;
      try {
        [id = ''] = await states.insertStates(caller.tenantId, projectId, [state]);
      } catch (error) {
        if (isUniqueViolation(error, KEY_CONSTRAINT)) throw new StateKeyTaken();
        throw error;
      }
      const created = StateDto.from({ ...state, id, createdAt: new Date() });
      this.events.record(caller, { type: 'state.created', projectId, data: { state: created } });
      return created;
    });
  }

  async update(caller: TenantMembership, projectId: string, stateId: string, input: UpdateStateDto): Promise<StateDto> {
    return this.transactions.run(async (em) => {
      const { states, board } = await this.lockBoard(em, caller, projectId);
      const state = board.find((candidate) => candidate.id === stateId);
      if (!state) throw new StateNotFound();
      const moved = input.moveBefore !== undefined || input.moveAfter !== undefined;
      const changes = {
        ...(input.name !== undefined && { name: input.name }),
        ...(input.color !== undefined && { color: input.color }),
        ...(moved && {
          position: placeOnBoard(
            board.filter((other) => other.id !== state.id),
            input,
          ),
        }),
      };
      await states.update(caller.tenantId, state.id, changes);
      const updated = StateDto.from({ ...state, ...changes, isDefault: state.isDefault || input.isDefault === true });
      const changed = changesBetween(StateDto.from(state), updated, ['name', 'color', 'position', 'isDefault']);
      // Nothing changed, nothing to tell.
      if (Object.keys(changed).length > 0) {
        this.events.record(caller, { type: 'state.updated', projectId, data: { state: updated, changes: changed } });
      }
      const formerDefault = board.find((other) => other.isDefault);
      if (updated.isDefault && formerDefault && formerDefault.id !== state.id) {
        await states.makeDefault(caller.tenantId, projectId, state.id);
        this.events.record(caller, {
          type: 'state.updated',
          projectId,
          data: {
            state: StateDto.from({ ...formerDefault, isDefault: false }),
            changes: { isDefault: { from: true, to: false } },
          },
        });
      }
      return updated;
    });
  }

  /**
   * Deletes a state. Its tasks, if any, move to `moveTo` in the same transaction (each with
   * its activity, its event and a new version); without `moveTo` a state with tasks stays. The default
   * state and the last state of a required category stay too.
   */
  async delete(caller: TenantMembership, projectId: string, stateId: string, moveTo?: string): Promise<void> {
    await this.transactions.run(async (em) => {
      const { states, board } = await this.lockBoard(em, caller, projectId);
      const state = board.find((candidate) => candidate.id === stateId);
      if (!state) throw new StateNotFound();
      const target = moveTo === undefined ? undefined : board.find((candidate) => candidate.id === moveTo);
      if (moveTo !== undefined && (!target || target.id === state.id)) throw new InvalidStateReference('moveTo');
      if (state.isDefault) throw new DefaultStateKept();
      const required = REQUIRED_CATEGORIES.find((category) => category === state.category);
      if (required && !board.some((other) => other.id !== state.id && other.category === required)) {
        throw new LastStateOfCategory(required);
      }
      if (target) {
        // The column lock of the target, as every write that gives a task a position there.
        await boardColumnLockOf(em, projectId, target.key);
        await this.domainEvents.emitAsync(
          StateTasksMustMove.event,
          new StateTasksMustMove(em, caller, projectId, state.key, { key: target.key, category: target.category }),
        );
      } else {
        const taskCount = await states.countTasks(caller.tenantId, projectId, state.key);
        if (taskCount > 0) throw new StateNotEmpty(taskCount);
      }
      await states.delete(caller.tenantId, state.id);
      this.events.record(caller, {
        type: 'state.deleted',
        projectId,
        data: { state: StateDto.from(state), ...(target && { movedTo: target.key }) },
      });
    });
  }

  /** Locks the project (see the class) and reads its board: 404 when there is no such project. */
  private async lockBoard(
    em: EntityManager,
    caller: TenantMembership,
    projectId: string,
  ): Promise<{ states: ProjectStateRepository; board: StateRow[] }> {
    if (!(await em.getRepository(Project).lock(caller.tenantId, projectId))) throw new ProjectNotFound();
    const states = em.getRepository(ProjectState);
    return { states, board: await states.listOf(caller.tenantId, projectId) };
  }
}

/**
 * The position of a state placed just before or after another state of `board` (the
 * board without it), or at the end.
 */
function placeOnBoard(board: readonly StateRow[], placement: BoardPlacement): string {
  if (placement.moveBefore !== undefined && placement.moveAfter !== undefined) {
    throw new RequestValidationError([{ path: 'moveBefore', message: 'moveBefore and moveAfter exclude each other' }]);
  }
  const path = placement.moveBefore !== undefined ? 'moveBefore' : 'moveAfter';
  const neighbourId = placement.moveBefore ?? placement.moveAfter;
  if (neighbourId === undefined) return generateKeyBetween(board.at(-1)?.position ?? null, null);
  const index = board.findIndex((state) => state.id === neighbourId);
  const neighbour = board[index];
  if (!neighbour) throw new InvalidStateReference(path);
  return path === 'moveBefore'
    ? generateKeyBetween(board[index - 1]?.position ?? null, neighbour.position)
    : generateKeyBetween(neighbour.position, board[index + 1]?.position ?? null);
}
