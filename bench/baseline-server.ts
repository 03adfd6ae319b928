// The baseline of the framework-overhead benchmark: raw Fastify + `pg`, doing by hand what
// a correct server must do for the same routes, and nothing more: verify the access token
// (HS256 with a KeyObject built once) and its session, or an API token (checksum, hash
// lookup, its tenant and scopes), then the tenant membership and role, validate path, query and body, run the same SQL statements as the app (read from
// PostgreSQL's statement log, `BENCH_SHOW_SQL=1`), and answer with the same status,
// headers (security headers, request id, rate-limit counters, ETag, Location) and
// byte-identical body. It runs like the app in production: one pino-http access-log line per
// request at LOG_LEVEL=info, the same pool size and timeouts.
// Started by `framework-overhead.ts` with the app's settings in its environment.
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { generateKeyBetween } from 'fractional-indexing';
import type { IncomingMessage } from 'node:http';
import { createHash, createHmac, createSecretKey, randomUUID, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';
import pg from 'pg';
import { pinoHttp, type StdSerializedResults } from 'pino-http';
import { v7 as uuidv7, validate as isUuid } from 'uuid';
import helmet from 'helmet';

function setting(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`baseline: ${name} is not set`);
  return value;
}

const JWT_SECRET = setting('JWT_SECRET');
const JWT_KEY = createSecretKey(Buffer.from(JWT_SECRET, 'utf8'));
const JWT_ISSUER = setting('JWT_ISSUER');
const JWT_AUDIENCE = setting('JWT_AUDIENCE');
const STATEMENT_TIMEOUT_MS = Number(setting('DATABASE_STATEMENT_TIMEOUT_MS'));
const RATE_LIMIT = Number(setting('RATE_LIMIT_PER_MINUTE'));

// As the app's raw SQL reads them (MikroORM's PostgreSQL type parsers): dates and times as
// PostgreSQL's text. Where the app hydrates entities (the tenant), `Date`s: pg's own parsers.
const types = {
  getTypeParser: (oid: number, format?: 'text' | 'binary'): ((value: string) => unknown) => {
    if ([1082, 1114, 1184, 1186].includes(oid)) return (value: string) => value;
    // pg-types types its parsers as `any`, and its ids as an enum of the scalar types (arrays parse too).
    // eslint-disable-next-line @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-enum-assignment
    return pg.types.getTypeParser(oid, format ?? 'text');
  },
};

// Same pool settings as the app's (see src/database/mikro-orm.options.ts).
const pool = new pg.Pool({
  connectionString: setting('DATABASE_URL'),
  max: Number(setting('DATABASE_POOL_MAX')),
  connectionTimeoutMillis: Number(setting('DATABASE_CONNECT_TIMEOUT_MS')),
  statement_timeout: STATEMENT_TIMEOUT_MS,
  query_timeout: STATEMENT_TIMEOUT_MS + 1_000,
  pipeline: true,
  // The app's default DATABASE_MAX_PARALLEL_WORKERS_PER_GATHER.
  options: '-c max_parallel_workers_per_gather=0',
  types,
  idleTimeoutMillis: 60_000,
});

// ---- The statements the app sends (it inlines the values; this uses bind parameters) ----
const SESSION_SQL =
  'select last_used_at < $1 as stale from sessions where id = $2 and user_id = $3 and revoked_at is null and expires_at > $4';
const TOUCH_SESSION_SQL = 'update "sessions" set "last_used_at" = $1 where "id" = $2';
const MEMBERSHIP_SQL = 'select role from memberships where tenant_id = $1 and user_id = $2';
const API_TOKEN_SQL =
  'select "id", "tenant_id", "user_id", "scopes", "expires_at", ("last_used_at" is null or "last_used_at" < now() - interval \'1 minute\') as "use_stale" ' +
  'from "api_tokens" where "token_hash" = $1 and "revoked_at" is null and "expires_at" > now()';
const API_TOKEN_USE_SQL =
  'update "api_tokens" set "last_used_at" = now(), "last_used_ip" = $1 where "tenant_id" = $2 and "id" = $3 ' +
  'and ("last_used_at" is null or "last_used_at" < now() - interval \'1 minute\')';
const TENANT_SQL = 'select id, name, slug, created_at, updated_at from tenants where id = $1';
const MEMBERS_PAGE_SQL =
  'select m.id, m.user_id, u.name, u.email, m.role, m.created_at::text as created_at ' +
  'from memberships m join users u on u.id = m.user_id where m.tenant_id = $1 order by m.created_at, m.id limit $2';
const TASK_COLUMNS = `t.id, t.key, t.project_id, t.title, t.description, t.status, t.status_category, t.priority, t.assignee_id,
  t.reporter_id, t.due_date::text as due_date, t.parent_id, t.position, t.completed_at, t.created_at, t.updated_at,
  t.version, array(select tl.label_id::text from task_labels tl
    where tl.tenant_id = t.tenant_id and tl.task_id = t.id order by tl.label_id) as label_ids`;
const TASK_BY_KEY_SQL = `select ${TASK_COLUMNS} from tasks t where t.tenant_id = $1 and t.key = $2`;
const TASK_BY_ID_SQL = `select ${TASK_COLUMNS} from tasks t where t.tenant_id = $1 and t.id = $2`;
const PROJECT_EXISTS_SQL = 'select 1 as found from projects where tenant_id = $1 and id = $2';
const TAKE_NUMBER_SQL =
  'update projects set last_task_number = last_task_number + (case when archived = true then 0 else 1 end) ' +
  'where tenant_id = $1 and id = $2 returning last_task_number as number, key, archived, ' +
  "pg_advisory_xact_lock(hashtextextended(id::text || ':' || $3::text, 0)) as locked";
const LAST_POSITION_SQL =
  'select t.position from tasks t where t.tenant_id = $1 and t.project_id = $2 and t.status = $3 order by t.position desc limit 1';
const LAST_OTHER_POSITION_SQL =
  'select t.position from tasks t where t.tenant_id = $1 and t.project_id = $2 and t.status = $3 and t.id <> $4 order by t.position desc limit 1';
const INSERT_TASK_SQL =
  'insert into "tasks" ("id", "tenant_id", "project_id", "key", "number", "title", "description", "status", "status_category", ' +
  '"priority", "assignee_id", "reporter_id", "due_date", "parent_id", "position", "completed_at", "created_at", "updated_at", "version") ' +
  'values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, 1)';
/** The project's default state, where a new task starts. */
const DEFAULT_STATE_SQL =
  'select "key", "category" from "project_states" where "tenant_id" = $1 and "project_id" = $2 and "is_default" = $3';
const INSERT_ACTIVITY_SQL =
  'insert into "activity_events" ("tenant_id", "project_id", "task_id", "actor_id", "action", "field", "from", "to", "id", "created_at") ' +
  'values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)';
const INSERT_TWO_ACTIVITIES_SQL =
  'insert into "activity_events" ("tenant_id", "project_id", "task_id", "actor_id", "action", "field", "from", "to", "id", "created_at") ' +
  'values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10), ($11, $12, $13, $14, $15, $16, $17, $18, $19, $20)';
/** The task locked for a status change, its new column's lock and the state it enters, in one statement. */
const LOCK_FOR_STATUS_SQL =
  'with "locked" as (select "t"."id", "t"."project_id" as "projectId", "t"."key", "t"."title", "t"."description", ' +
  '"t"."status", "t"."status_category" as "statusCategory", "t"."priority", "t"."assignee_id" as "assigneeId", ' +
  't.due_date::text as "dueDate", "t"."parent_id" as "parentId", "t"."position", "t"."reporter_id" as "reporterId", ' +
  '"t"."version", pg_advisory_xact_lock(hashtextextended(t.project_id::text || \':\' || $1::text, 0)) as "column_locked" ' +
  'from "tasks" as "t" where "t"."tenant_id" = $2 and "t"."key" = $3 for no key update), ' +
  '"into" as (select "s"."key", "s"."category" from "project_states" as "s" inner join "locked" on "locked"."projectId" = "s"."project_id" ' +
  'where "s"."tenant_id" = $4 and "s"."key" = $5 for key share of "s") ' +
  'select "locked".*, "into"."key" as "intoKey", "into"."category" as "intoCategory" from "locked" left join "into" on true';
/** The changed columns written and the task as it is now (no read after the write). */
const UPDATE_TASK_SQL =
  'update "tasks" as "t" set "status" = $1, "status_category" = $2, "position" = $3, "updated_at" = $4, "version" = "t"."version" + $5 ' +
  `where "t"."tenant_id" = $6 and "t"."id" = $7 returning ${TASK_COLUMNS}`;
/**
 * The app's event append (src/modules/events/event.repository.ts), as it sends it: the
 * tenant's counter raised and notified, the events numbered and inserted, and the deliveries
 * of the tenant's matching webhooks queued as jobs, in one statement before commit.
 */
const APPEND_EVENTS_SQL = `with "counter" as (insert into "event_counters" ("tenant_id", "last_seq") values ($1, $2::int) on conflict ("tenant_id") do update set "last_seq" = "event_counters"."last_seq" + $3::int returning "last_seq", pg_notify('yello_events', $4 || ':' || "last_seq") as "notified"), "appended" as (insert into "events" ("id", "tenant_id", "seq", "type", "occurred_at", "actor_user_id", "actor_token_id", "project_id", "data") select "e"."id", $5 as "tenant_id", "counter"."last_seq" - $6::int + "e"."ordinality" as "seq", "e"."type", "e"."occurred_at", "e"."actor_user_id", "e"."actor_token_id", "e"."project_id", "e"."data" from "counter", (select * from unnest(
    $7::uuid[],
    $8::text[],
    $9::timestamptz[],
    $10::uuid[],
    $11::uuid[],
    $12::uuid[],
    $13::jsonb[]
  ) with ordinality as u(id, type, occurred_at, actor_user_id, actor_token_id, project_id, data, ordinality)) as "e" returning "id", "seq", "type", "occurred_at", "actor_user_id", "actor_token_id", "project_id", "data"), "step_0" as (insert into "webhook_deliveries" ("id", "tenant_id", "webhook_id", "event_id", "event_type", "payload", "status", "created_at", "next_attempt_at") select uuidv7() as "id", $14 as "tenant_id", "w"."id" as "webhook_id", "a"."id" as "event_id", "a"."type" as "event_type", jsonb_build_object('type', a.type, 'timestamp', to_char(a.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'data', jsonb_build_object(
    'id', a.id,
    'seq', a.seq,
    'type', a.type,
    'occurredAt', to_char(a.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'actor', jsonb_build_object('userId', a.actor_user_id)
      || case when a.actor_token_id is null then '{}'::jsonb else jsonb_build_object('tokenId', a.actor_token_id) end,
    'projectId', a.project_id,
    'data', a.data
  )) as "payload", $15 as "status", statement_timestamp() as "created_at", statement_timestamp() as "next_attempt_at" from "appended" as "a" inner join (select "id", "events", "project_id" from "webhooks" where "tenant_id" = $16 and "active" = $17 for key share) as "w" on ("w"."project_id" is null or "w"."project_id" = "a"."project_id") and (a.type = any(w.events) or split_part(a.type, '.', 1) || '.*' = any(w.events)) order by "a"."seq", "w"."id" returning (graphile_worker.add_job($18, json_build_object('tenantId', "tenant_id", 'deliveryId', "id"), max_attempts => $19::int, job_key => $20 || "id")).id as "job_id") select "id", "seq" from "appended"`;
const WEBHOOK_DELIVERY_TASK = 'webhook.delivery';
const WEBHOOK_DELIVERY_ATTEMPTS = 5;

/** The project list, status filter, newest first: first page, and after a keyset position. */
const LIST_SQL = (after: boolean) =>
  `select ${TASK_COLUMNS}, array[(t.created_at)::text] as sort_values from tasks t ` +
  `where t.tenant_id = $1 and t.project_id = $2 and t.status in ($3, $4)` +
  (after ? ' and (t.created_at, t.id) < ($5::timestamptz, $6::uuid)' : '') +
  ` order by t.created_at desc, t.id desc limit ${after ? '$7' : '$5'}`;
// The first page of a search (task.repository.ts, relevancePageQuery): the 200 newest matches,
// ranked; the window's boundary rides in the cursor.
const RANK = `ts_rank(t.search, websearch_to_tsquery('english', $2))`;
const SEARCH_SQL =
  `with candidates as materialized (select t.id, t.created_at from tasks t where t.tenant_id = $1 ` +
  `and t.search @@ websearch_to_tsquery('english', $2) order by t.created_at desc, t.id desc limit 200), ` +
  `boundary as (select c.created_at::text as at, c.id::text as id from candidates c ` +
  `where (select count(*) from candidates) = 200 order by c.created_at, c.id limit 1) ` +
  `select ${TASK_COLUMNS}, array[coalesce((select at from boundary), ''), ` +
  `coalesce((select id from boundary), ''), '1', ${RANK}::text, t.created_at::text] as sort_values ` +
  `from candidates c join tasks t on t.tenant_id = $1 and t.id = c.id ` +
  `order by ${RANK} desc, t.created_at desc, t.id desc limit $3`;

// ---- Rows and bodies ----
interface TaskRow {
  id: string;
  key: string;
  project_id: string;
  title: string;
  description: string | null;
  status: string;
  status_category: string;
  priority: string;
  assignee_id: string | null;
  reporter_id: string | null;
  due_date: string | null;
  parent_id: string | null;
  position: string;
  completed_at: string | null;
  created_at: string;
  updated_at: string;
  version: number;
  label_ids: string[];
  sort_values?: string[];
}

interface LockedTask {
  id: string;
  projectId: string;
  status: string;
  position: string;
  version: number;
  intoKey: string | null;
  intoCategory: string | null;
}

function taskBody(row: TaskRow) {
  return {
    id: row.id,
    key: row.key,
    projectId: row.project_id,
    title: row.title,
    description: row.description,
    status: row.status,
    statusCategory: row.status_category,
    priority: row.priority,
    assigneeId: row.assignee_id,
    reporterId: row.reporter_id,
    dueDate: row.due_date,
    labelIds: row.label_ids,
    parentId: row.parent_id,
    position: row.position,
    completedAt: row.completed_at === null ? null : new Date(row.completed_at),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    version: row.version,
  };
}

interface TenantRow {
  id: string;
  name: string;
  slug: string;
  created_at: Date;
  updated_at: Date;
}

interface MemberRow {
  id: string;
  user_id: string;
  name: string;
  email: string;
  role: string;
  created_at: string;
}

interface Claims {
  sub: string;
  sid: string;
}

interface Caller {
  userId: string;
  tenantId: string;
  role: string;
}

const LAST_USED_RESOLUTION_MS = 60_000;
const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;
const TASK_STATUSES = ['backlog', 'todo', 'in_progress', 'in_review', 'done', 'canceled'];
const TASK_PRIORITIES = ['none', 'low', 'medium', 'high', 'urgent'];
const ROLE_RANK: Record<string, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };
const TASK_KEY = /^([A-Za-z][A-Za-z0-9]{1,9})-([1-9][0-9]{0,8})$/;
const ENTITY_TAG = /^"(\d{1,9})"$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function jsonSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** What passport-jwt + jsonwebtoken check: HS256 only, signature, iss, aud, exp, nbf, and the claims the app needs. */
function verifyAccessToken(authorization: string | undefined): Claims | undefined {
  const match = authorization?.match(/^bearer\s+(\S+)$/i);
  const parts = match?.[1]?.split('.');
  if (parts?.length !== 3) return undefined;
  const [headerSegment = '', payloadSegment = '', signatureSegment = ''] = parts;
  if (jsonSegment(headerSegment)?.alg !== 'HS256') return undefined;
  const expected = createHmac('sha256', JWT_KEY).update(`${headerSegment}.${payloadSegment}`).digest();
  const signature = Buffer.from(signatureSegment, 'base64url');
  if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) return undefined;
  const claims = jsonSegment(payloadSegment);
  if (!claims) return undefined;
  const now = Math.floor(Date.now() / 1000);
  const { sub, sid, iat, exp, nbf, iss, aud } = claims;
  if (typeof sub !== 'string' || !isUuid(sub) || typeof sid !== 'string' || !isUuid(sid)) return undefined;
  if (typeof iat !== 'number' || typeof exp !== 'number') return undefined;
  if (now >= exp || (typeof nbf === 'number' && now < nbf)) return undefined;
  if (iss !== JWT_ISSUER) return undefined;
  if (Array.isArray(aud) ? !aud.includes(JWT_AUDIENCE) : aud !== JWT_AUDIENCE) return undefined;
  return { sub, sid };
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const API_TOKEN = /^Bearer (yel_[0-9A-Za-z]{40})_([0-9A-Za-z]{6})$/i;

function base62(value: number, width: number): string {
  let text = '';
  for (let rest = value; rest > 0; rest = Math.floor(rest / 62)) text = BASE62.charAt(rest % 62) + text;
  return text.padStart(width, '0');
}

/** An API token's creator, tenant and scopes when it is well formed, active and its checksum right (as `ApiTokenStrategy`). */
async function apiTokenCaller(
  authorization: string | undefined,
  ip: string,
): Promise<{ userId: string; tokenId: string; tenantId: string; scopes: string[] } | undefined> {
  const match = API_TOKEN.exec(authorization ?? '');
  if (!match?.[1] || match[2] !== base62(crc32(match[1]), 6)) return undefined;
  const secret = `${match[1]}_${match[2]}`;
  const hash = createHash('sha256').update(secret).digest('hex');
  const { rows } = await pool.query<{
    id: string;
    tenant_id: string;
    user_id: string;
    scopes: string[];
    use_stale: boolean;
  }>(API_TOKEN_SQL, [hash]);
  const token = rows[0];
  if (!token) return undefined;
  if (token.use_stale)
    void pool.query(API_TOKEN_USE_SQL, [ip.slice(0, 45), token.tenant_id, token.id]).catch(() => undefined);
  return { userId: token.user_id, tokenId: token.id, tenantId: token.tenant_id, scopes: token.scopes };
}

/** The caller's user id when the token is valid and its session live (as `JwtStrategy.validate`). */
async function authenticate(authorization: string | undefined): Promise<string | undefined> {
  const claims = verifyAccessToken(authorization);
  if (!claims) return undefined;
  const now = new Date();
  const stale = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
  const { rows } = await pool.query<{ stale: boolean }>(SESSION_SQL, [stale, claims.sid, claims.sub, now]);
  const session = rows[0];
  if (!session) return undefined;
  if (session.stale) await pool.query(TOUCH_SESSION_SQL, [now, claims.sid]);
  return claims.sub;
}

class HttpProblem extends Error {
  readonly status: number;

  constructor(status: number, title: string) {
    super(title);
    this.status = status;
  }
}

/** Per-user request counters, as the app's throttler keeps them (one-minute windows). */
const counters = new Map<string, { hits: number; expiresAt: number }>();

function countRequest(reply: FastifyReply, userId: string): void {
  const now = Date.now();
  let counter = counters.get(userId);
  if (!counter || counter.expiresAt <= now) {
    counter = { hits: 0, expiresAt: now + 60_000 };
    counters.set(userId, counter);
  }
  counter.hits++;
  if (counter.hits > RATE_LIMIT) throw new HttpProblem(429, 'Too Many Requests');
  void reply.header('RateLimit-Limit', RATE_LIMIT);
  void reply.header('RateLimit-Remaining', Math.max(0, RATE_LIMIT - counter.hits));
  void reply.header('RateLimit-Reset', Math.ceil((counter.expiresAt - now) / 1000));
}

function stringEntry(container: unknown, name: string): string | undefined {
  if (!isRecord(container)) return undefined;
  const value = container[name];
  return typeof value === 'string' ? value : undefined;
}

/** Authentication, rate limit, query parameter names, tenant id, membership and role: every tenant route's preamble. */
async function tenantCaller(
  request: FastifyRequest,
  reply: FastifyReply,
  acceptedQuery: readonly string[],
  minimumRole: string,
): Promise<Caller> {
  const token = request.headers.authorization?.startsWith('Bearer yel_')
    ? await apiTokenCaller(request.headers.authorization, request.ip)
    : undefined;
  const userId = token?.userId ?? (await authenticate(request.headers.authorization));
  if (!userId) throw new HttpProblem(401, 'Unauthorized');
  countRequest(reply, token ? `token:${token.tokenId}` : userId);
  if (isRecord(request.query) && Object.keys(request.query).some((name) => !acceptedQuery.includes(name))) {
    throw new HttpProblem(400, 'Unknown query parameter');
  }
  const tenantId = stringEntry(request.params, 'tenantId');
  if (!tenantId || !isUuid(tenantId)) throw new HttpProblem(400, 'Bad Request');
  if (token && token.tenantId !== tenantId) throw new HttpProblem(404, 'Tenant not found');
  const { rows } = await pool.query<{ role: string }>(MEMBERSHIP_SQL, [tenantId, userId]);
  const role = rows[0]?.role;
  if (role === undefined) throw new HttpProblem(404, 'Tenant not found');
  if ((ROLE_RANK[role] ?? -1) < (ROLE_RANK[minimumRole] ?? 99)) throw new HttpProblem(403, 'Forbidden');
  if (token) {
    const needed = (ROLE_RANK[minimumRole] ?? 0) >= 2 ? 'admin' : request.method === 'GET' ? 'read' : 'write';
    const rank: Record<string, number> = { read: 0, write: 1, admin: 2 };
    if (!token.scopes.some((scope) => (rank[scope] ?? -1) >= (rank[needed] ?? 99)))
      throw new HttpProblem(403, 'Forbidden');
  }
  return { userId, tenantId, role };
}

function pageLimit(query: unknown): number {
  const raw = stringEntry(query, 'limit');
  const limit = raw === undefined ? DEFAULT_PAGE_SIZE : Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) throw new HttpProblem(400, 'Bad Request');
  return limit;
}

/** A task path segment: `{ key }` for `YEL-42` (any case), `{ id }` for a UUID. */
function taskRef(value: string | undefined): { key: string } | { id: string } {
  if (value !== undefined && isUuid(value)) return { id: value.toLowerCase() };
  const match = value === undefined ? null : TASK_KEY.exec(value);
  if (!match?.[1] || !match[2]) throw new HttpProblem(400, 'Bad Request');
  return { key: `${match[1].toUpperCase()}-${match[2]}` };
}

async function findTask(tenantId: string, ref: { key: string } | { id: string }): Promise<TaskRow | undefined> {
  const { rows } = await pool.query<TaskRow>('key' in ref ? TASK_BY_KEY_SQL : TASK_BY_ID_SQL, [
    tenantId,
    'key' in ref ? ref.key : ref.id,
  ]);
  return rows[0];
}

// Page cursors exactly as the app's PaginationService + CursorCodec make them: the keyset
// position (JSON of the sort values and id), signed with the list identity.
const CURSOR_KEY = createHmac('sha256', JWT_SECRET).update('yello/page-cursor').digest();
const MAC_BYTES = 16;

function cursorMac(payload: Buffer, binding: string): Buffer {
  return createHmac('sha256', CURSOR_KEY).update(binding).update('\0').update(payload).digest().subarray(0, MAC_BYTES);
}

function encodeCursor(position: string, binding: string): string {
  const payload = Buffer.from(position, 'utf8');
  return Buffer.concat([cursorMac(payload, binding), payload]).toString('base64url');
}

/** The keyset position of a cursor this list issued: [sort value, id]. */
function decodeCursor(cursor: string, binding: string): [string, string] {
  const raw = Buffer.from(cursor, 'base64url');
  if (raw.length <= MAC_BYTES || raw.toString('base64url') !== cursor) throw new HttpProblem(400, 'Invalid cursor');
  const payload = raw.subarray(MAC_BYTES);
  if (!timingSafeEqual(raw.subarray(0, MAC_BYTES), cursorMac(payload, binding))) {
    throw new HttpProblem(400, 'Invalid cursor');
  }
  const position: unknown = JSON.parse(payload.toString('utf8'));
  if (!Array.isArray(position) || position.length !== 2 || !position.every((value) => typeof value === 'string')) {
    throw new Error('A signed task cursor did not parse');
  }
  return [String(position[0]), String(position[1])];
}

function taskPage(rows: TaskRow[], limit: number, binding: string) {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    data: page.map(taskBody),
    nextCursor:
      rows.length > limit && last
        ? encodeCursor(JSON.stringify([...(last.sort_values ?? []), last.id]), binding)
        : null,
  };
}

function setTaskHeaders(reply: FastifyReply, task: TaskRow): void {
  void reply.header('ETag', `"${task.version}"`);
}

/**
 * A transaction on one pooled connection, as MikroORM's `em.transactional` with the app's
 * `Transactions.run`: statements `work` sends ahead (the event append) are answered after the
 * COMMIT, which follows them on the wire (the pool pipelines, as the app's).
 */
async function transaction<T>(work: (client: pg.PoolClient, sentAhead: Promise<unknown>[]) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    try {
      const sentAhead: Promise<unknown>[] = [];
      const result = await work(client, sentAhead);
      await client.query('commit');
      for (const statement of sentAhead) await statement;
      return result;
    } catch (error) {
      await client.query('rollback');
      throw error;
    }
  } finally {
    client.release();
  }
}

/**
 * Sends the append of one event of the caller's tenant (`APPEND_EVENTS_SQL`) ahead of the
 * COMMIT, as the app does: named, as the app sends it (prepared once per connection).
 */
function appendEvent(
  client: pg.PoolClient,
  sentAhead: Promise<unknown>[],
  caller: Caller,
  type: string,
  projectId: string,
  data: Record<string, unknown>,
): void {
  const { tenantId } = caller;
  const sent = client.query({
    name: 'append_events',
    text: APPEND_EVENTS_SQL,
    values: [
      tenantId,
      1,
      1,
      tenantId,
      tenantId,
      1,
      [uuidv7()],
      [type],
      [new Date()],
      [caller.userId],
      [null],
      [projectId],
      [JSON.stringify(data)],
      tenantId,
      'pending',
      tenantId,
      true,
      WEBHOOK_DELIVERY_TASK,
      WEBHOOK_DELIVERY_ATTEMPTS,
      'webhook-delivery:',
    ],
  });
  sent.catch(() => undefined); // awaited after the COMMIT by `transaction`
  sentAhead.push(sent);
}

function titleOf(value: unknown): string {
  if (typeof value !== 'string') throw new HttpProblem(400, 'Bad Request');
  const title = value.trim();
  if (title.length < 1 || title.length > 500) throw new HttpProblem(400, 'Bad Request');
  return title;
}

// ---- The server ----
const requestIds = new WeakMap<IncomingMessage, string>();
const accessLog = pinoHttp({
  level: process.env.LOG_LEVEL ?? 'info',
  genReqId: (request) => requestIds.get(request) ?? randomUUID(),
  // The app's access line (src/common/logging/logger-options.ts): credentials replaced, the response's status only.
  serializers: {
    req: (request: StdSerializedResults['req']) => {
      const headers: Record<string, string> = { ...request.headers };
      for (const name of ['authorization', 'cookie']) if (name in headers) headers[name] = '[redacted]';
      const { id, method, url, remoteAddress, remotePort } = request;
      return { id, method, url, headers, remoteAddress, remotePort };
    },
    res: (response: StdSerializedResults['res']) => ({ statusCode: response.statusCode }),
  },
  customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
});

const app = Fastify({ logger: false, genReqId: () => randomUUID() });
// Built once, as the app does (@fastify/helmet would rebuild it on every request).
const setSecurityHeaders = helmet({
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      scriptSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      upgradeInsecureRequests: null,
    },
  },
});
app.addHook('onRequest', (request, reply, done) => {
  // Helmet 8 throws its errors instead of passing them on: its `next` only continues.
  setSecurityHeaders(request.raw, reply.raw, () => done());
});
app.addHook('onRequest', (request, reply, done) => {
  void reply.header('x-request-id', request.id);
  requestIds.set(request.raw, request.id);
  if (!request.url.startsWith('/health/')) accessLog(request.raw, reply.raw);
  done();
});
app.setErrorHandler((error, _request, reply) => {
  const status = error instanceof HttpProblem ? error.status : 500;
  if (status === 401) void reply.header('www-authenticate', 'Bearer');
  void reply
    .code(status)
    .type('application/problem+json')
    .send(JSON.stringify({ type: 'about:blank', title: error instanceof Error ? error.message : 'Error', status }));
});

app.get('/health/ready', async () => {
  await pool.query('select 1');
  return { status: 'ok' };
});

app.get('/api/v1/tenants/:tenantId', async (request, reply) => {
  const caller = await tenantCaller(request, reply, [], 'viewer');
  const tenant = (await pool.query<TenantRow>({ text: TENANT_SQL, values: [caller.tenantId], types: pg.types }))
    .rows[0];
  if (!tenant) throw new HttpProblem(404, 'Tenant not found');
  return {
    id: tenant.id,
    name: tenant.name,
    slug: tenant.slug,
    createdAt: tenant.created_at,
    updatedAt: tenant.updated_at,
    role: caller.role,
  };
});

const MEMBERS_BINDING = (tenantId: string) => JSON.stringify({ list: 'members', scope: tenantId, sort: 'joinedAt' });

app.get('/api/v1/tenants/:tenantId/members', async (request, reply) => {
  const caller = await tenantCaller(request, reply, ['limit', 'cursor'], 'viewer');
  // Later pages are not part of the comparison: only first pages are measured.
  if (stringEntry(request.query, 'cursor') !== undefined) throw new HttpProblem(400, 'First pages only');
  const limit = pageLimit(request.query);
  const { rows } = await pool.query<MemberRow>(MEMBERS_PAGE_SQL, [caller.tenantId, limit + 1]);
  const hasNextPage = rows.length > limit;
  const page = hasNextPage ? rows.slice(0, limit) : rows;
  const last = page.at(-1);
  return {
    data: page.map((row) => ({
      userId: row.user_id,
      name: row.name,
      email: row.email,
      role: row.role,
      joinedAt: new Date(row.created_at),
    })),
    nextCursor:
      hasNextPage && last
        ? encodeCursor(JSON.stringify([last.created_at, last.id]), MEMBERS_BINDING(caller.tenantId))
        : null,
  };
});

app.get('/api/v1/tenants/:tenantId/tasks/:taskRef', async (request, reply) => {
  const caller = await tenantCaller(request, reply, [], 'viewer');
  const task = await findTask(caller.tenantId, taskRef(stringEntry(request.params, 'taskRef')));
  if (!task) throw new HttpProblem(404, 'Task not found');
  setTaskHeaders(reply, task);
  return taskBody(task);
});

const LIST_QUERY = ['status', 'limit', 'cursor'];

/** The project list, filtered by two statuses, newest first (the shape the benchmark measures). */
app.get('/api/v1/tenants/:tenantId/projects/:projectId/tasks', async (request, reply) => {
  const caller = await tenantCaller(request, reply, LIST_QUERY, 'viewer');
  const projectId = stringEntry(request.params, 'projectId');
  if (!projectId || !isUuid(projectId)) throw new HttpProblem(400, 'Bad Request');
  const statuses = (stringEntry(request.query, 'status') ?? '').split(',').map((status) => status.trim());
  if (statuses.length !== 2 || !statuses.every((status) => TASK_STATUSES.includes(status))) {
    throw new HttpProblem(400, 'The baseline serves two statuses only');
  }
  const limit = pageLimit(request.query);
  const cursor = stringEntry(request.query, 'cursor');
  if (cursor !== undefined && cursor.length > 2048) throw new HttpProblem(400, 'Bad Request');
  const binding = JSON.stringify({
    filters: { projectId, statuses },
    list: `tasks:project=${projectId}`,
    scope: caller.tenantId,
    sort: '-createdAt',
  });
  const after = cursor === undefined ? undefined : decodeCursor(cursor, binding);
  const { rows: found } = await pool.query(PROJECT_EXISTS_SQL, [caller.tenantId, projectId]);
  if (found.length === 0) throw new HttpProblem(404, 'Project not found');
  const params: unknown[] = [caller.tenantId, projectId, ...statuses, ...(after ?? []), limit + 1];
  const { rows } = await pool.query<TaskRow>(LIST_SQL(after !== undefined), params);
  return taskPage(rows, limit, binding);
});

/** The tenant-wide list searched with `q`, by relevance (first pages). */
app.get('/api/v1/tenants/:tenantId/tasks', async (request, reply) => {
  const caller = await tenantCaller(request, reply, ['q', 'limit'], 'viewer');
  const q = stringEntry(request.query, 'q');
  if (q === undefined || q.length < 1 || q.length > 200) throw new HttpProblem(400, 'The baseline serves q only');
  const limit = pageLimit(request.query);
  const binding = JSON.stringify({ filters: { q }, list: 'tasks', scope: caller.tenantId, sort: 'relevance' });
  const { rows } = await pool.query<TaskRow>(SEARCH_SQL, [caller.tenantId, q, limit + 1]);
  return taskPage(rows, limit, binding);
});

/** Creates a task: the project's next number, the bottom of its column, the `created` activity row. */
app.post('/api/v1/tenants/:tenantId/projects/:projectId/tasks', async (request, reply) => {
  const caller = await tenantCaller(request, reply, [], 'member');
  const projectId = stringEntry(request.params, 'projectId');
  if (!projectId || !isUuid(projectId)) throw new HttpProblem(400, 'Bad Request');
  const body = request.body;
  if (!isRecord(body) || Object.keys(body).some((name) => name !== 'title' && name !== 'priority')) {
    throw new HttpProblem(400, 'The baseline takes a title and a priority');
  }
  const title = titleOf(body.title);
  const priority = body.priority ?? 'none';
  if (typeof priority !== 'string' || !TASK_PRIORITIES.includes(priority)) throw new HttpProblem(400, 'Bad Request');
  const task = await transaction(async (client, sentAhead) => {
    const { rows: found } = await client.query(PROJECT_EXISTS_SQL, [caller.tenantId, projectId]);
    if (found.length === 0) throw new HttpProblem(404, 'Project not found');
    const state = (
      await client.query<{ key: string; category: string }>(DEFAULT_STATE_SQL, [caller.tenantId, projectId, true])
    ).rows[0];
    if (!state) throw new HttpProblem(404, 'Project not found');
    const taken = (
      await client.query<{ number: number; key: string; archived: boolean }>(TAKE_NUMBER_SQL, [
        caller.tenantId,
        projectId,
        'todo',
      ])
    ).rows[0];
    if (!taken) throw new HttpProblem(404, 'Project not found');
    if (taken.archived) throw new HttpProblem(409, 'Project archived');
    const last = (await client.query<{ position: string }>(LAST_POSITION_SQL, [caller.tenantId, projectId, 'todo']))
      .rows[0];
    const now = new Date().toISOString();
    // As the app answers it, built from what was written (no read after the write).
    const created: TaskRow = {
      id: uuidv7(),
      key: `${taken.key}-${taken.number}`,
      project_id: projectId,
      title,
      description: null,
      status: state.key,
      status_category: state.category,
      priority,
      assignee_id: null,
      reporter_id: caller.userId,
      due_date: null,
      parent_id: null,
      position: generateKeyBetween(last?.position ?? null, null),
      completed_at: null,
      created_at: now,
      updated_at: now,
      version: 1,
      label_ids: [],
    };
    await client.query(INSERT_TASK_SQL, [
      created.id,
      caller.tenantId,
      projectId,
      created.key,
      taken.number,
      title,
      null,
      created.status,
      created.status_category,
      priority,
      null,
      caller.userId,
      null,
      null,
      created.position,
      null,
      now,
      now,
    ]);
    await client.query(INSERT_ACTIVITY_SQL, [
      caller.tenantId,
      projectId,
      created.id,
      caller.userId,
      'created',
      null,
      null,
      null,
      uuidv7(),
      new Date(),
    ]);
    appendEvent(client, sentAhead, caller, 'task.created', projectId, { task: taskBody(created) });
    return created;
  });
  void reply
    .code(201)
    .header('Location', `/api/v1/tenants/${encodeURIComponent(caller.tenantId)}/tasks/${encodeURIComponent(task.key)}`);
  setTaskHeaders(reply, task);
  return taskBody(task);
});

/** A status change with `If-Match`: the task goes to the bottom of its new column; two activity rows. */
app.patch('/api/v1/tenants/:tenantId/tasks/:taskRef', async (request, reply) => {
  const caller = await tenantCaller(request, reply, [], 'member');
  const ref = taskRef(stringEntry(request.params, 'taskRef'));
  if (!('key' in ref)) throw new HttpProblem(400, 'The baseline takes task keys');
  const ifMatch = request.headers['if-match'];
  const expected = ifMatch === undefined ? undefined : ENTITY_TAG.exec(ifMatch.trim())?.[1];
  if (ifMatch !== undefined && expected === undefined) throw new HttpProblem(400, 'Bad If-Match');
  const body = request.body;
  if (!isRecord(body) || Object.keys(body).some((name) => name !== 'status')) {
    throw new HttpProblem(400, 'The baseline takes a status');
  }
  const status = body.status;
  if (typeof status !== 'string' || !TASK_STATUSES.includes(status) || status === 'done') {
    throw new HttpProblem(400, 'Bad Request');
  }
  const task = await transaction(async (client, sentAhead) => {
    const locked = (
      await client.query<LockedTask>(LOCK_FOR_STATUS_SQL, [status, caller.tenantId, ref.key, caller.tenantId, status])
    ).rows[0];
    if (!locked) throw new HttpProblem(404, 'Task not found');
    if (expected !== undefined && Number(expected) !== locked.version) throw new HttpProblem(412, 'Resource changed');
    if (status === locked.status) throw new HttpProblem(400, 'The baseline changes the status');
    if (locked.intoKey === null || locked.intoCategory === null) throw new HttpProblem(400, 'Unknown status');
    const last = (
      await client.query<{ position: string }>(LAST_OTHER_POSITION_SQL, [
        caller.tenantId,
        locked.projectId,
        status,
        locked.id,
      ])
    ).rows[0];
    const position = generateKeyBetween(last?.position ?? null, null);
    const now = new Date();
    const activity = (field: string, from: string, to: string) => [
      caller.tenantId,
      locked.projectId,
      locked.id,
      caller.userId,
      'updated',
      field,
      from,
      to,
      uuidv7(),
      now,
    ];
    const updated = (
      await client.query<TaskRow>(UPDATE_TASK_SQL, [
        status,
        locked.intoCategory,
        position,
        now,
        1,
        caller.tenantId,
        locked.id,
      ])
    ).rows[0];
    if (!updated) throw new Error('The locked task is gone');
    await client.query(INSERT_TWO_ACTIVITIES_SQL, [
      ...activity('status', locked.status, status),
      ...activity('position', locked.position, position),
    ]);
    appendEvent(client, sentAhead, caller, 'task.updated', locked.projectId, {
      task: taskBody(updated),
      changes: { status: { from: locked.status, to: status }, position: { from: locked.position, to: position } },
    });
    return updated;
  });
  setTaskHeaders(reply, task);
  return taskBody(task);
});

async function shutdown(): Promise<void> {
  await app.close();
  await pool.end();
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown());
process.once('SIGINT', () => void shutdown());

await app.listen({ host: '127.0.0.1', port: Number(setting('PORT')) });
