import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module.js';
import { Project } from './entities/project.entity.js';
import { ProjectsController } from './projects.controller.js';
import { ProjectsService } from './projects.service.js';
import { ProjectState } from './states/entities/project-state.entity.js';
import { StatesController } from './states/states.controller.js';
import { StatesService } from './states/states.service.js';

/** Projects and their workflow states; deleting a state moves its tasks through `StateTasksMustMove`. */
@Module({
  imports: [MikroOrmModule.forFeature([Project, ProjectState]), EventsModule],
  controllers: [ProjectsController, StatesController],
  providers: [ProjectsService, StatesService],
})
export class ProjectsModule {}
