import { MikroORM, RequestContext } from '@mikro-orm/postgresql';
import { Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject, type OperationObject } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import helmet from 'helmet';
import { AppModule } from './app.module.js';
import { API_TOKEN_SECURITY } from './common/auth/decorators.js';
import { answerClientError } from './common/http/client-errors.js';
import { acceptJsonBodiesOnly } from './common/http/json-body.js';
import { API_PREFIX, UNPREFIXED_ROUTES } from './common/http/resource-headers.js';
import { sendProblem } from './common/http/problem-details.filter.js';
import { problemResponse } from './common/openapi/api-problems.decorator.js';
import { applyHttpConventions } from './common/openapi/http-conventions.js';
import { summarizeOperations } from './common/openapi/operation-summaries.js';
import { tidySchemas } from './common/openapi/schema-names.js';
import { documentTokenScopes, tokenScopeBadge } from './modules/api-tokens/token-scope.openapi.js';
import { minimumRoleBadge } from './modules/tenants/minimum-role.decorator.js';
import { REQUEST_ID_HEADER, requestIdFor } from './common/http/request-id.js';
import { IDEMPOTENT_REPLAYED_HEADER } from './common/idempotency/idempotent.decorator.js';
import type { AppConfig } from './config/app-config.module.js';
import type { SupervisedDatabase } from './database/database-status.module.js';
import metadata from './metadata.js';

const frameworkLogger = new NestLogger('Http');

function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  void reply.header(REQUEST_ID_HEADER, request.id);
  sendProblem(reply, request.id, error, frameworkLogger);
}
const BODY_LIMIT_BYTES = 1024 * 1024;

// Built once: @fastify/helmet calls `helmet(options)` again on every request, parsing the
// CSP directives each time (about 17 µs of CPU per request in a profile of the task read).
const setSecurityHeaders = helmet({
  // Swagger UI needs inline styles and scripts; the API itself only serves JSON.
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      scriptSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      // Helmet's default would rewrite Swagger UI's assets to https, leaving a blank page
      // wherever the API is served over plain HTTP by another name than localhost.
      upgradeInsecureRequests: null,
    },
  },
});

/**
 * Builds the whole HTTP application (used by `server.ts` and by the e2e tests, so both
 * run exactly the same stack). Fastify: the faster Nest adapter, and the one the
 * performance target is measured against.
 */
export async function createApp(config: AppConfig, database?: SupervisedDatabase): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: config.http.trustProxy,
    return503OnClosing: false,
    genReqId: requestIdFor,
    requestIdHeader: false,
    // Malformed URLs and over-long path segments are refused before routing, outside Nest.
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
  });
  adapter.getInstance().addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  adapter.getInstance().addHook('onRequest', (request, reply, done) => {
    // Helmet 8 throws its errors instead of passing them on: its `next` only continues.
    setSecurityHeaders(request.raw, reply.raw, () => done());
  });
  acceptJsonBodiesOnly(adapter.getInstance());

  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, database), adapter, {
    bufferLogs: true,
    bodyParser: false, // `acceptJsonBodiesOnly` owns body parsing
    // A failed start rejects instead of `process.exit(1)`: `server.ts` then logs why and stops
    // the embedded PostgreSQL, and a test worker running the app reports it instead of dying.
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  // Each request's own EntityManager, opened by a Fastify hook as MikroORM's guide does it
  // (a Nest middleware would run through middie, a layer more per request).
  const orm = app.get(MikroORM);
  adapter.getInstance().addHook('onRequest', (_request, _reply, done) => RequestContext.create(orm.em, done));
  app.setGlobalPrefix(API_PREFIX, { exclude: UNPREFIXED_ROUTES });
  if (config.http.corsOrigins.length > 0) {
    app.enableCors({
      origin: config.http.corsOrigins,
      // Readable by browser clients: none of these is CORS-safelisted.
      exposedHeaders: [
        'X-Request-Id',
        'Location',
        'ETag',
        'Retry-After',
        'RateLimit-Limit',
        'RateLimit-Remaining',
        'RateLimit-Reset',
        IDEMPOTENT_REPLAYED_HEADER,
      ],
    });
  }
  await SwaggerModule.loadPluginMetadata(metadata);
  // Built on the first request for it, not at start: scanning every route took a tenth of the start-up.
  SwaggerModule.setup('docs', app, () => createOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    // Shows `x-minimum-role`, the tenant role a route needs (also in each summary). Tags start
    // collapsed: the page opens on the list of areas, and rendering every operation up front
    // was most of the page's CPU.
    swaggerOptions: { showExtensions: true, persistAuthorization: true, docExpansion: 'none' },
  });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

/** The tags of the document, in the order Swagger UI lists them. */
const TAGS: Record<string, string> = {
  auth: 'Accounts, sign-in, token refresh and the sessions of the caller.',
  users: "The caller's own profile and password.",
  tenants:
    'Workspaces. Every project, task and label belongs to one tenant, and each member has a role in it: ' +
    '`owner` > `admin` > `member` > `viewer`. The weakest role an operation allows follows its summary ' +
    '(`viewer+`); non-members get 404, as if the tenant did not exist.',
  members: "The people in a tenant and their roles; leaving is removing one's own membership.",
  invitations: 'Invite someone into a tenant by email (the response carries the token to hand over), and accept.',
  'api-tokens':
    'Tokens for scripts and integrations: each acts for its creator in one tenant, within its scopes and ' +
    'the creator’s role (`x-token-scope`). Managed with a session; `GET /api-tokens/self` takes a token.',
  projects: "A tenant's projects. A project's key prefixes the keys of its tasks (`YEL-42`).",
  states:
    "A project's workflow states, the columns of its board: a task's `status` is a state key of its project. " +
    'Each state has a category (`backlog`, `unstarted`, `started`, `completed`, `canceled`) that never changes.',
  tasks:
    'Tasks of a project: filters, sorts, full-text search, ordering in status columns, history. ' +
    'A task is addressed by its UUID or by its key (`YEL-42`, any case).',
  comments: 'Comments on a task.',
  events:
    'Every change in a tenant, in commit order (`seq`, without gaps): read after a cursor, long-polled, or ' +
    'streamed as Server-Sent Events that resume after `Last-Event-ID`.',
  relations:
    'How tasks of a tenant relate: `blocks` / `blocked_by`, `relates_to`, `duplicate_of` / `duplicated_by`. ' +
    'No `blocks` cycle; a task duplicates at most one task.',
  labels: 'Labels of a tenant, attached to its tasks.',
  webhooks:
    'Endpoints sent the tenant’s events as Standard Webhooks: signed (`webhook-signature`), retried for 3 days, ' +
    'logged per delivery. See docs/webhooks.md for receivers.',
  health: 'Probes for orchestrators, outside `/api/v1`: no authentication, no rate limit.',
};

/** The OpenAPI document of the app's routes (`createApp` loads the CLI plugin's metadata first). */
function createOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Yello API')
    .setDescription(
      'Multi-tenant task and project management. Errors are RFC 9457 problem details ' +
        '(`application/problem+json`); lists are cursor-paginated.',
    )
    .setVersion('1')
    // Paths carry `/api/v1`: the document describes the server that serves it, whatever its address.
    .addServer('/', 'The server serving this document')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'yel_…',
        description:
          'A tenant API token (`POST /tenants/{tenantId}/api-tokens`), on the operations with `x-token-scope`: ' +
          'those of its tenant, within its scopes and its creator’s current role',
      },
      API_TOKEN_SECURITY,
    )
    .addSecurityRequirements('bearer')
    // Any route answers 400 to an unknown query parameter or a malformed id.
    .addGlobalResponse(problemResponse(400, 'Bad Request: invalid body, path id or query parameter'))
    // Refused before routing, whatever the operation: any request may carry a body or long headers.
    .addGlobalResponse(problemResponse(413, 'Content Too Large: a request body over 1 MiB'))
    .addGlobalResponse(problemResponse(414, 'URI Too Long: a path segment over the length limit'))
    .addGlobalResponse(problemResponse(415, 'Unsupported Media Type: a request body that is not JSON'))
    .addGlobalResponse(problemResponse(431, 'Request Header Fields Too Large: headers over 16 KiB'))
    .addGlobalResponse(
      problemResponse(
        503,
        'Service Unavailable: the database cannot be reached, or (register, login, password change) every ' +
          'password-hashing slot and its queue are taken; retry after `Retry-After` seconds',
      ),
    );
  for (const [name, description] of Object.entries(TAGS)) builder.addTag(name, description);
  const config = builder.build();
  // `package.json` says UNLICENSED: the API is not offered under any public licence.
  config.info.license = { name: 'Proprietary' };
  config.info.contact = { name: 'Yello API team', email: 'api@yello.example' };
  // Operation ids are the controller methods' names (`listTasks`): the typed client's method names.
  const document = SwaggerModule.createDocument(app, config, { operationIdFactory: (_controller, method) => method });
  const badges = (operation: OperationObject) =>
    [minimumRoleBadge(operation), tokenScopeBadge(operation)].filter(Boolean).join(' · ') || undefined;
  return tidySchemas(summarizeOperations(applyHttpConventions(documentTokenScopes(document, 'bearer')), badges));
}
