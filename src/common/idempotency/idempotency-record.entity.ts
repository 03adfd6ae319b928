import { OptionalProps, PrimaryKeyProp } from '@mikro-orm/core';
import { Entity, Enum, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { User } from '../../modules/users/entities/user.entity.js';

export const IDEMPOTENCY_STATES = ['in_progress', 'completed'] as const;
export type IdempotencyState = (typeof IDEMPOTENCY_STATES)[number];

/** Response headers a replay repeats: those describing the created resource, not this exchange. */
export type ReplayedHeaders = Partial<Record<'location' | 'etag', string>>;

/**
 * One `Idempotency-Key` of one user: claimed (`in_progress`) when its first request
 * starts, then `completed` with the response that later requests with the key replay.
 * User-scoped, not tenant-scoped: a key is the client's, whatever tenant it addresses.
 * Written with single statements by `IdempotencyService`, never through a unit of work.
 */
@Entity({ tableName: 'idempotency_keys' })
export class IdempotencyRecord {
  [PrimaryKeyProp]?: ['user', 'key'];
  [OptionalProps]?: 'state' | 'responseStatus' | 'responseBody' | 'responseHeaders' | 'createdAt';

  @ManyToOne(() => User, { primary: true, deleteRule: 'cascade' })
  user!: User;

  @PrimaryKey({ length: 255 })
  key!: string;

  /** SHA-256 (hex) of the method, the URL as called and the canonical JSON body. */
  @Property({ length: 64 })
  fingerprint!: string;

  @Enum({ items: () => IDEMPOTENCY_STATES, nativeEnumName: 'idempotency_state' })
  state: IdempotencyState = 'in_progress';

  @Property({ type: 'smallint', nullable: true })
  responseStatus: number | null = null;

  /** The response body as JSON, sealed (`ReplaySeal`): it may carry a one-time secret. */
  @Property({ type: 'json', columnType: 'json', nullable: true })
  responseBody: unknown = null;

  @Property({ type: 'json', nullable: true })
  responseHeaders: ReplayedHeaders | null = null;

  /** When the key was claimed; the claim's identity together with user and key. */
  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
