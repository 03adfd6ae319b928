import { MikroOrmModule } from '@mikro-orm/nestjs';
import { MikroORM } from '@mikro-orm/core';
import { Module, type OnModuleInit } from '@nestjs/common';
import { MailModule } from '../mail/mail.module.js';
import { EventsModule } from '../events/events.module.js';
import { InvitationMails } from './invitation-mails.js';
import { Invitation } from './entities/invitation.entity.js';
import { Membership } from './entities/membership.entity.js';
import { Tenant } from './entities/tenant.entity.js';
import { InvitationAcceptanceController, InvitationsController } from './invitations.controller.js';
import { InvitationsService } from './invitations.service.js';
import { InvitationsPurger } from './invitations.purger.js';
import { MembersController } from './members.controller.js';
import { MembersService } from './members.service.js';
import { MembershipGuard } from './membership.guard.js';
import { TenantsController } from './tenants.controller.js';
import { TenantsService } from './tenants.service.js';
import { TenantWriteCheck } from './tenant-write.check.js';

@Module({
  imports: [MikroOrmModule.forFeature([Tenant, Membership, Invitation]), EventsModule, MailModule],
  controllers: [TenantsController, MembersController, InvitationsController, InvitationAcceptanceController],
  providers: [TenantsService, MembersService, InvitationsService, InvitationsPurger, InvitationMails, MembershipGuard],
  exports: [MembersService, MembershipGuard],
})
export class TenantsModule implements OnModuleInit {
  constructor(private readonly orm: MikroORM) {}

  onModuleInit(): void {
    this.orm.em.getEventManager().registerSubscriber(new TenantWriteCheck());
  }
}
