import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module.js';
import { BulkChangesService } from './bulk-changes.service.js';
import { CommentsController } from './comments.controller.js';
import { CommentsService } from './comments.service.js';
import { ActivityEvent } from './entities/activity-event.entity.js';
import { Comment } from './entities/comment.entity.js';
import { Label } from './entities/label.entity.js';
import { TaskLabel } from './entities/task-label.entity.js';
import { TaskRelation } from './entities/task-relation.entity.js';
import { Task } from './entities/task.entity.js';
import { LabelsController } from './labels.controller.js';
import { LabelsService } from './labels.service.js';
import { MemberTasksListener } from './member-tasks.listener.js';
import { StateTasksListener } from './state-tasks.listener.js';
import { ProjectTasksController, TasksController } from './tasks.controller.js';
import { TasksService } from './tasks.service.js';
import { RelationsController } from './relations.controller.js';
import { RelationsService } from './relations.service.js';

/** Tasks with their labels, comments, relations and activity log. */
@Module({
  imports: [MikroOrmModule.forFeature([Task, Label, TaskLabel, TaskRelation, Comment, ActivityEvent]), EventsModule],
  controllers: [ProjectTasksController, TasksController, CommentsController, LabelsController, RelationsController],
  providers: [
    TasksService,
    BulkChangesService,
    LabelsService,
    CommentsService,
    RelationsService,
    MemberTasksListener,
    StateTasksListener,
  ],
  exports: [TasksService],
})
export class TasksModule {}
