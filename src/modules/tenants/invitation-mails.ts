import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { z } from 'zod';
import { defineJob } from '../../common/jobs/job.js';
import { JobRunner } from '../../common/jobs/job-runner.js';
import { MailTemplates } from '../mail/mail-templates.js';
import { Mailer } from '../mail/mailer.js';
import { Invitation } from './entities/invitation.entity.js';
import { TENANT_FILTER } from './entities/tenant-scoped.entity.js';

/**
 * The invitation's token rides in the job (it is made in the request, which also answers it);
 * the queue deletes the job, token and all, once the mail is sent.
 */
export const INVITATION_MAIL = defineJob(
  'mail.invitation',
  z.object({ tenantId: z.uuid(), invitationId: z.uuid(), token: z.string() }),
);

/** Mails an invitation to the invitee, while it is still pending. */
@Injectable()
export class InvitationMails implements OnModuleInit {
  constructor(
    private readonly em: EntityManager,
    private readonly runner: JobRunner,
    private readonly mailer: Mailer,
    private readonly templates: MailTemplates,
  ) {}

  onModuleInit(): void {
    this.runner.handle(INVITATION_MAIL, (payload) => this.send(payload));
  }

  private async send({ tenantId, invitationId, token }: z.infer<typeof INVITATION_MAIL.payload>): Promise<void> {
    const invitation = await this.em.findOne(
      Invitation,
      { id: invitationId, acceptedAt: null, revokedAt: null, expiresAt: { $gt: new Date() } },
      { populate: ['tenant', 'invitedBy'], filters: { [TENANT_FILTER]: { tenantId } } },
    );
    if (!invitation) return;
    const { tenant, invitedBy, role, expiresAt, email } = invitation;
    await this.mailer.send({
      to: email,
      ...this.templates.invitation(tenant.name, invitedBy?.name ?? null, role, token, expiresAt),
    });
  }
}
