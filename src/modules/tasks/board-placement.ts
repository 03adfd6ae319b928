import { generateKeyBetween, generateNKeysBetween } from 'fractional-indexing';
import type { UpdateTaskDto } from './dto/task.dto.js';
import { requireTaskRef } from './task-ref.js';
import type { LockedTask, TaskLocation, TaskRepository } from './task.repository.js';
import { InvalidTaskReference } from './tasks.errors.js';

/**
 * Past this length a position key is not issued: the column is rebalanced first. Keys grow
 * by about a character every six moves into one gap; short keys keep cursors small.
 */
const MAX_POSITION_LENGTH = 64;

/** How a `PATCH` asks to move a task in its column (at most one of them). */
export type BoardMove = Pick<UpdateTaskDto, 'moveBefore' | 'moveAfter' | 'moveTo'>;

/**
 * Where a moved task goes in the `status` column of its project: between the named
 * neighbour and the task next to it, or at an end; without a move (a status change), at
 * the bottom. When the key would be too long, the column gets fresh keys first. The caller
 * holds the column's lock (`TaskRepository.lockColumnFor`, or `lockForChange` into a new
 * column), so no other move into the column picks a key meanwhile.
 */
export async function placeOnBoard(
  tasks: TaskRepository,
  tenantId: string,
  task: LockedTask,
  status: string,
  move: BoardMove,
): Promise<string> {
  const position = await positionFor(tasks, tenantId, task, status, move);
  if (position.length <= MAX_POSITION_LENGTH) return position;
  await tasks.rebalanceColumn(tenantId, { projectId: task.projectId, status });
  return positionFor(tasks, tenantId, task, status, move);
}

/**
 * Positions at the bottom of the `status` column of their project for tasks entering it
 * together (a bulk change), one after the other in the order given, as status changes of
 * each in turn would place them. The caller holds those columns' locks
 * (`TaskRepository.lockColumns`). A column whose new keys would be too long is rebalanced first.
 */
export async function placeAtBottom(
  tasks: TaskRepository,
  tenantId: string,
  status: string,
  entering: readonly TaskLocation[],
): Promise<Map<string, string>> {
  const byProject = new Map<string, TaskLocation[]>();
  for (const task of entering) byProject.set(task.projectId, [...(byProject.get(task.projectId) ?? []), task]);
  const last = await tasks.lastPositions(tenantId, [...byProject.keys()], status);
  const positions = new Map<string, string>();
  for (const [projectId, group] of byProject) {
    let keys = generateNKeysBetween(last.get(projectId) ?? null, null, group.length);
    if (keys.some((key) => key.length > MAX_POSITION_LENGTH)) {
      const column = { projectId, status };
      await tasks.rebalanceColumn(tenantId, column);
      keys = generateNKeysBetween(
        await tasks.neighbourPosition(tenantId, column, 'before', null, null),
        null,
        group.length,
      );
    }
    for (const [index, task] of group.entries()) {
      const key = keys[index];
      if (key !== undefined) positions.set(task.id, key);
    }
  }
  return positions;
}

async function positionFor(
  tasks: TaskRepository,
  tenantId: string,
  task: LockedTask,
  status: string,
  move: BoardMove,
): Promise<string> {
  const column = { projectId: task.projectId, status };
  const neighbourRef = move.moveBefore ?? move.moveAfter;
  if (neighbourRef !== undefined) {
    const path = move.moveBefore !== undefined ? 'moveBefore' : 'moveAfter';
    const neighbour = await tasks.findDto(tenantId, requireTaskRef(neighbourRef, path));
    if (
      !neighbour ||
      neighbour.id === task.id ||
      neighbour.projectId !== column.projectId ||
      neighbour.status !== column.status
    ) {
      throw new InvalidTaskReference(path, 'must be another task of the same project and status column');
    }
    const side = path === 'moveBefore' ? 'before' : 'after';
    const other = await tasks.neighbourPosition(tenantId, column, side, neighbour.position, task.id);
    return side === 'before'
      ? generateKeyBetween(other, neighbour.position)
      : generateKeyBetween(neighbour.position, other);
  }
  if (move.moveTo === 'top') {
    return generateKeyBetween(null, await tasks.neighbourPosition(tenantId, column, 'after', null, task.id));
  }
  return generateKeyBetween(await tasks.neighbourPosition(tenantId, column, 'before', null, task.id), null);
}
