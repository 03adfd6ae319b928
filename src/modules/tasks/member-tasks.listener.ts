import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { MemberCannotHoldTasks } from '../tenants/member-events.js';
import { TasksService } from './tasks.service.js';

/** What becomes of a member's tasks when the tenants module changes the member. */
@Injectable()
export class MemberTasksListener {
  constructor(private readonly tasks: TasksService) {}

  // Errors reach the emitter, so they roll the member's change back.
  @OnEvent(MemberCannotHoldTasks.event, { suppressErrors: false })
  unassign({ em, caller, userId }: MemberCannotHoldTasks): Promise<void> {
    return this.tasks.unassignMember(em, caller, userId);
  }
}
