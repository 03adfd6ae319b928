import { Module } from '@nestjs/common';
import { JobsModule } from '../../common/jobs/jobs.module.js';
import { MailTemplates } from './mail-templates.js';
import { Mailer } from './mailer.js';

/**
 * Mail: `MailTemplates` writes the messages, `Mailer` sends them (SMTP or the local outbox).
 * Modules send from jobs they queue with `JobQueue` (re-exported here), so a request never
 * waits on a mail server and a failing one loses nothing.
 */
@Module({
  imports: [JobsModule],
  providers: [Mailer, MailTemplates],
  exports: [Mailer, MailTemplates, JobsModule],
})
export class MailModule {}
