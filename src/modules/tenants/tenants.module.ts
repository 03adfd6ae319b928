import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { TasksModule } from '../tasks/tasks.module.js';
import { Invitation } from './entities/invitation.entity.js';
import { Membership } from './entities/membership.entity.js';
import { Tenant } from './entities/tenant.entity.js';
import { InvitationAcceptanceController, InvitationsController } from './invitations.controller.js';
import { InvitationsService } from './invitations.service.js';
import { MembersController } from './members.controller.js';
import { MembersService } from './members.service.js';
import { MembershipGuard } from './membership.guard.js';
import { TenantsController } from './tenants.controller.js';
import { TenantsService } from './tenants.service.js';

@Module({
  imports: [MikroOrmModule.forFeature([Tenant, Membership, Invitation]), TasksModule],
  controllers: [TenantsController, MembersController, InvitationsController, InvitationAcceptanceController],
  providers: [TenantsService, MembersService, InvitationsService, MembershipGuard],
  exports: [MembersService, MembershipGuard],
})
export class TenantsModule {}
