import { EntityManager, type FilterQuery, type QueryResult } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { InjectAppConfig, type AppConfig } from '../../config/app-config.module.js';
import { IdempotencyRecord, type ReplayedHeaders } from './idempotency-record.entity.js';
import { ReplaySeal } from './replay-seal.js';
import { IdempotencyKeyReused, IdempotentRequestInProgress } from './idempotency.errors.js';

/** How long a completed key replays its response (and refuses another body). */
const REPLAY_WINDOW_MS = 24 * 60 * 60_000;
/** No create runs this long: an older claim belongs to a request whose process died. */
const ABANDONED_CLAIM_MS = 5 * 60_000;
/** Rounds of claim-then-read; between them the key changes hands only when a request fails or expires. */
const CLAIM_ATTEMPTS = 3;

export interface IdempotentRequest {
  userId: string;
  key: string;
  fingerprint: string;
}

/** A key held by one running request, which settles it with `complete` or `release`. */
export interface IdempotencyClaim {
  userId: string;
  key: string;
  claimedAt: Date;
}

export interface StoredResponse {
  status: number;
  body: unknown;
  headers: ReplayedHeaders;
}

export type ClaimOutcome = { kind: 'claimed'; claim: IdempotencyClaim } | { kind: 'replay'; response: StoredResponse };

/**
 * The `idempotency_keys` table. Every write is one statement outside any business
 * transaction, so a key is visible to every API instance as soon as it is claimed.
 */
@Injectable()
export class IdempotencyService {
  private readonly seal: ReplaySeal;

  constructor(
    private readonly em: EntityManager,
    @InjectAppConfig() config: AppConfig,
  ) {
    this.seal = new ReplaySeal(config.auth.jwtSecret);
  }

  /**
   * Claims the key for this request, or returns the response to replay. Throws when the
   * key belongs to another request (422) or its first request still runs (409).
   */
  async claim(request: IdempotentRequest): Promise<ClaimOutcome> {
    const held = { user: request.userId, key: request.key };
    for (let attempt = 1; attempt <= CLAIM_ATTEMPTS; attempt++) {
      const claimedAt = new Date();
      if (await this.insertClaim(request, claimedAt)) {
        return { kind: 'claimed', claim: { userId: request.userId, key: request.key, claimedAt } };
      }
      const record = await this.em.findOne(IdempotencyRecord, held, { disableIdentityMap: true });
      if (!record) continue; // its request failed and released the key in the meantime
      const body = record.state === 'completed' ? this.seal.open(record.responseBody) : undefined;
      // Sealed under another server secret: it can no longer be replayed, so it is as good as expired.
      if (isExpired(record, claimedAt) || (record.state === 'completed' && body === undefined)) {
        // Deletes only the row judged expired, not a claim another request made since.
        await this.em.nativeDelete(IdempotencyRecord, { ...held, createdAt: record.createdAt });
        continue;
      }
      if (record.fingerprint !== request.fingerprint) throw new IdempotencyKeyReused();
      if (record.state === 'in_progress' || record.responseStatus === null) throw new IdempotentRequestInProgress();
      return {
        kind: 'replay',
        response: { status: record.responseStatus, body, headers: record.responseHeaders ?? {} },
      };
    }
    throw new IdempotentRequestInProgress();
  }

  /** Stores the response of the claiming request for later replays. */
  async complete(claim: IdempotencyClaim, response: StoredResponse): Promise<void> {
    await this.em.nativeUpdate(IdempotencyRecord, heldBy(claim), {
      state: 'completed',
      responseStatus: response.status,
      responseBody: this.seal.seal(response.body),
      responseHeaders: response.headers,
    });
  }

  /** Frees the key after its request failed, so that the client can retry with it. */
  async release(claim: IdempotencyClaim): Promise<void> {
    await this.em.nativeDelete(IdempotencyRecord, heldBy(claim));
  }

  /**
   * `INSERT … ON CONFLICT DO NOTHING`: of concurrent requests with the same key,
   * PostgreSQL lets exactly one insert; the others learn that the key is taken.
   */
  private async insertClaim(request: IdempotentRequest, claimedAt: Date): Promise<boolean> {
    const result = await this.em
      .createQueryBuilder(IdempotencyRecord)
      .insert({
        user: request.userId,
        key: request.key,
        fingerprint: request.fingerprint,
        state: 'in_progress',
        createdAt: claimedAt,
      })
      .onConflict(['user', 'key'])
      .ignore()
      .execute<QueryResult<IdempotencyRecord>>('run');
    return result.affectedRows === 1;
  }
}

function isExpired(record: IdempotencyRecord, now: Date): boolean {
  const age = now.getTime() - record.createdAt.getTime();
  return age > REPLAY_WINDOW_MS || (record.state === 'in_progress' && age > ABANDONED_CLAIM_MS);
}

/** The row of `claim`, as long as no other request took the key over. */
function heldBy(claim: IdempotencyClaim): FilterQuery<IdempotencyRecord> {
  return { user: claim.userId, key: claim.key, createdAt: claim.claimedAt, state: 'in_progress' };
}
