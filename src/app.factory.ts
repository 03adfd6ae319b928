import helmet from '@fastify/helmet';
import { Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppModule } from './app.module.js';
import { answerClientError } from './common/http/client-errors.js';
import { acceptJsonBodiesOnly } from './common/http/json-body.js';
import { API_PREFIX } from './common/http/resource-headers.js';
import { sendProblem } from './common/http/problem-details.filter.js';
import { problemResponse } from './common/openapi/api-problems.decorator.js';
import { applyHttpConventions } from './common/openapi/http-conventions.js';
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

/**
 * Builds the whole HTTP application (used by `main.ts` and by the e2e tests, so both
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
  acceptJsonBodiesOnly(adapter.getInstance());

  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, database), adapter, {
    bufferLogs: true,
    bodyParser: false, // `acceptJsonBodiesOnly` owns body parsing
  });
  app.useLogger(app.get(Logger));
  app.setGlobalPrefix(API_PREFIX, { exclude: ['health/live', 'health/ready'] });
  await app.register(helmet, {
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
  SwaggerModule.setup('docs', app, await createOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    // Shows `x-minimum-role`, the tenant role a route needs.
    swaggerOptions: { showExtensions: true, persistAuthorization: true },
  });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

export async function createOpenApiDocument(app: NestFastifyApplication): Promise<OpenAPIObject> {
  await SwaggerModule.loadPluginMetadata(metadata);
  const document = new DocumentBuilder()
    .setTitle('Yello API')
    .setDescription(
      'Multi-tenant task and project management. Errors are RFC 9457 problem details ' +
        '(`application/problem+json`); lists are cursor-paginated.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
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
    )
    .build();
  return applyHttpConventions(SwaggerModule.createDocument(app, document));
}
