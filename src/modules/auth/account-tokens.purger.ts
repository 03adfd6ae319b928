import { Injectable } from '@nestjs/common';
import { deleteBatch, Purger, type PurgeBatch } from '../../common/housekeeping/purger.js';
import { AccountToken } from './entities/account-token.entity.js';

@Injectable()
@Purger()
export class AccountTokensPurger implements Purger {
  purgeJobs(now: Date): Record<string, PurgeBatch> {
    // Spent ones are gone already (spending deletes); an expired one can never be spent.
    return { accountTokens: (em, limit) => deleteBatch(em, AccountToken, { expiresAt: { $lt: now } }, limit) };
  }
}
