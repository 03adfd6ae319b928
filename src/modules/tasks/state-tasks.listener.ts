import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { StateTasksMustMove } from '../projects/states/state-events.js';
import { TasksService } from './tasks.service.js';

/** What becomes of a state's tasks when the projects module deletes the state. */
@Injectable()
export class StateTasksListener {
  constructor(private readonly tasks: TasksService) {}

  // Errors reach the emitter, so they roll the state's delete back.
  @OnEvent(StateTasksMustMove.event, { suppressErrors: false })
  move({ em, caller, projectId, fromKey, to }: StateTasksMustMove): Promise<void> {
    return this.tasks.moveStateTasks(em, caller, projectId, fromKey, to);
  }
}
