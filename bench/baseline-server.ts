// The baseline of the framework-overhead benchmark: raw Fastify + `pg`, doing by hand what
// the Nest app does for the same routes (verify the access token, check its session, check
// the tenant membership, run the same SQL, serialize the same JSON) and nothing more: no
// request ids, security headers, request logging, rate limiting or validation framework.
// Started by `framework-overhead.ts` with the app's settings in its environment.
import Fastify, { type FastifyReply } from 'fastify';
import { createHmac, timingSafeEqual } from 'node:crypto';
import pg from 'pg';

function setting(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`baseline: ${name} is not set`);
  return value;
}

const JWT_SECRET = setting('JWT_SECRET');
const JWT_ISSUER = setting('JWT_ISSUER');
const JWT_AUDIENCE = setting('JWT_AUDIENCE');
const STATEMENT_TIMEOUT_MS = Number(setting('DATABASE_STATEMENT_TIMEOUT_MS'));

// Same pool settings as the app's (see src/database/mikro-orm.options.ts).
const pool = new pg.Pool({
  connectionString: setting('DATABASE_URL'),
  max: Number(setting('DATABASE_POOL_MAX')),
  connectionTimeoutMillis: Number(setting('DATABASE_CONNECT_TIMEOUT_MS')),
  statement_timeout: STATEMENT_TIMEOUT_MS,
  query_timeout: STATEMENT_TIMEOUT_MS + 1_000,
});

// The statements MikroORM sends for these routes (the app inlines the values; this uses
// bind parameters, as hand-written code would).
const SESSION_SQL =
  'select last_used_at < $1 as stale from sessions where id = $2 and user_id = $3 and revoked_at is null and expires_at > $4';
const TOUCH_SESSION_SQL = 'update "sessions" set "last_used_at" = $1 where "id" = $2';
const MEMBERSHIP_SQL = 'select role from memberships where tenant_id = $1 and user_id = $2';
const TENANT_SQL = 'select "t0".* from "tenants" as "t0" where "t0"."id" = $1 limit 1';
const MEMBERS_PAGE_SQL =
  'select "m0".*, "u1"."id" as "u1__id", "u1"."email" as "u1__email", "u1"."name" as "u1__name", ' +
  '"u1"."created_at" as "u1__created_at", "u1"."updated_at" as "u1__updated_at" ' +
  'from "memberships" as "m0" inner join "users" as "u1" on "m0"."user_id" = "u1"."id" ' +
  'where "m0"."tenant_id" = $1 order by "m0"."created_at" asc, "m0"."id" asc limit $2';

interface SessionRow {
  stale: boolean;
}

interface MembershipRow {
  role: string;
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
  role: string;
  created_at: Date;
  u1__id: string;
  u1__email: string;
  u1__name: string;
}

interface Claims {
  sub: string;
  sid: string;
}

const LAST_USED_RESOLUTION_MS = 60_000;
const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
  const expected = createHmac('sha256', JWT_SECRET).update(`${headerSegment}.${payloadSegment}`).digest();
  const signature = Buffer.from(signatureSegment, 'base64url');
  if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) return undefined;
  const claims = jsonSegment(payloadSegment);
  if (!claims) return undefined;
  const now = Math.floor(Date.now() / 1000);
  const { sub, sid, iat, exp, nbf, iss, aud } = claims;
  if (typeof sub !== 'string' || typeof sid !== 'string' || typeof iat !== 'number' || typeof exp !== 'number')
    return undefined;
  if (now >= exp || (typeof nbf === 'number' && now < nbf)) return undefined;
  if (iss !== JWT_ISSUER) return undefined;
  if (Array.isArray(aud) ? !aud.includes(JWT_AUDIENCE) : aud !== JWT_AUDIENCE) return undefined;
  return { sub, sid };
}

/** The caller's user id when the token is valid and its session live (as `JwtStrategy.validate`). */
async function authenticate(authorization: string | undefined): Promise<string | undefined> {
  const claims = verifyAccessToken(authorization);
  if (!claims) return undefined;
  const now = new Date();
  const stale = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
  const { rows } = await pool.query<SessionRow>(SESSION_SQL, [stale, claims.sid, claims.sub, now]);
  const session = rows[0];
  if (!session) return undefined;
  if (session.stale) await pool.query(TOUCH_SESSION_SQL, [now, claims.sid]);
  return claims.sub;
}

async function membership(tenantId: string, userId: string): Promise<MembershipRow | undefined> {
  const { rows } = await pool.query<MembershipRow>(MEMBERSHIP_SQL, [tenantId, userId]);
  return rows[0];
}

function problem(reply: FastifyReply, status: number, title: string): FastifyReply {
  if (status === 401) void reply.header('www-authenticate', 'Bearer');
  return reply
    .code(status)
    .type('application/problem+json')
    .send(JSON.stringify({ type: 'about:blank', title, status }));
}

function stringEntry(container: unknown, name: string): string | undefined {
  if (!isRecord(container)) return undefined;
  const value = container[name];
  return typeof value === 'string' ? value : undefined;
}

function unknownQueryParameters(query: unknown, accepted: readonly string[]): boolean {
  return isRecord(query) && Object.keys(query).some((name) => !accepted.includes(name));
}

// Page cursors exactly as the app's PaginationService + CursorCodec make them: MikroORM's
// keyset position (base64url JSON of the order-by values), signed with the list identity.
const CURSOR_KEY = createHmac('sha256', JWT_SECRET).update('yello/page-cursor').digest();
const MEMBERS_BINDING = JSON.stringify({ list: 'members', sort: 'joinedAt' });

function encodeCursor(position: string, binding: string): string {
  const payload = Buffer.from(position, 'utf8');
  const mac = createHmac('sha256', CURSOR_KEY).update(binding).update('\0').update(payload).digest().subarray(0, 16);
  return Buffer.concat([mac, payload]).toString('base64url');
}

const app = Fastify({ logger: false });

app.get('/health/ready', async () => {
  await pool.query('select 1');
  return { status: 'ok' };
});

app.get('/api/v1/tenants/:tenantId', async (request, reply) => {
  const userId = await authenticate(request.headers.authorization);
  if (!userId) return problem(reply, 401, 'Unauthorized');
  if (unknownQueryParameters(request.query, [])) return problem(reply, 400, 'Unknown query parameter');
  const tenantId = stringEntry(request.params, 'tenantId');
  if (!tenantId || !UUID.test(tenantId)) return problem(reply, 400, 'Bad Request');
  const found = await membership(tenantId, userId);
  if (!found) return problem(reply, 404, 'Tenant not found');
  const tenant = (await pool.query<TenantRow>(TENANT_SQL, [tenantId])).rows[0];
  if (!tenant) return problem(reply, 404, 'Tenant not found');
  return {
    id: tenant.id,
    name: tenant.name,
    slug: tenant.slug,
    createdAt: tenant.created_at,
    updatedAt: tenant.updated_at,
    role: found.role,
  };
});

app.get('/api/v1/tenants/:tenantId/members', async (request, reply) => {
  const userId = await authenticate(request.headers.authorization);
  if (!userId) return problem(reply, 401, 'Unauthorized');
  if (unknownQueryParameters(request.query, ['limit', 'cursor'])) return problem(reply, 400, 'Unknown query parameter');
  const tenantId = stringEntry(request.params, 'tenantId');
  if (!tenantId || !UUID.test(tenantId)) return problem(reply, 400, 'Bad Request');
  if (!(await membership(tenantId, userId))) return problem(reply, 404, 'Tenant not found');
  // Later pages are not part of the comparison (yet): only first pages are measured.
  if (stringEntry(request.query, 'cursor') !== undefined)
    return problem(reply, 400, 'The baseline serves first pages only');
  const rawLimit = stringEntry(request.query, 'limit');
  const limit = rawLimit === undefined ? DEFAULT_PAGE_SIZE : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) return problem(reply, 400, 'Bad Request');

  const { rows } = await pool.query<MemberRow>(MEMBERS_PAGE_SQL, [tenantId, limit + 1]);
  const hasNextPage = rows.length > limit;
  const page = hasNextPage ? rows.slice(0, limit) : rows;
  const last = page.at(-1);
  return {
    data: page.map((row) => ({
      userId: row.u1__id,
      name: row.u1__name,
      email: row.u1__email,
      role: row.role,
      joinedAt: row.created_at,
    })),
    nextCursor:
      hasNextPage && last
        ? encodeCursor(Buffer.from(JSON.stringify([last.created_at, last.id])).toString('base64url'), MEMBERS_BINDING)
        : null,
  };
});

async function shutdown(): Promise<void> {
  await app.close();
  await pool.end();
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown());
process.once('SIGINT', () => void shutdown());

await app.listen({ host: '127.0.0.1', port: Number(setting('PORT')) });
