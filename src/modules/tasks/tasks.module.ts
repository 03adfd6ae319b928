import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { ActivityEvent } from './entities/activity-event.entity.js';
import { Comment } from './entities/comment.entity.js';
import { Label } from './entities/label.entity.js';
import { TaskLabel } from './entities/task-label.entity.js';
import { Task } from './entities/task.entity.js';

@Module({
  imports: [MikroOrmModule.forFeature([Task, Label, TaskLabel, Comment, ActivityEvent])],
})
export class TasksModule {}
