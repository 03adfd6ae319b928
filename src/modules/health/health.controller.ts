import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags, type SchemaObject } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { Public } from '../../common/auth/decorators.js';
import { ApiProblems } from '../../common/openapi/api-problems.decorator.js';
import { DatabaseHealthIndicator } from './database.health.js';

/** Terminus's report: `status`, and the indicators that are up (`info`) or down (`error`). */
const HEALTH_REPORT: SchemaObject = {
  type: 'object',
  required: ['status'],
  properties: {
    status: { type: 'string', enum: ['ok', 'error', 'shutting_down'] },
    info: { type: 'object', additionalProperties: true },
    error: { type: 'object', additionalProperties: true },
    details: { type: 'object', additionalProperties: true },
  },
};

/** Probes for orchestrators; outside `/api/v1`, no auth, no rate limit. */
@ApiTags('health')
@Public()
@SkipThrottle()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: DatabaseHealthIndicator,
  ) {}

  /** The process is up and serving HTTP. */
  @Get('live')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOkResponse({ description: 'Alive', schema: HEALTH_REPORT })
  checkLiveness(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  /** The API can serve requests: its database answers. */
  @Get('ready')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOkResponse({ description: 'Ready: the database answers', schema: HEALTH_REPORT })
  @ApiProblems(503)
  checkReadiness(): Promise<HealthCheckResult> {
    return this.health.check([() => this.database.ping()]);
  }
}
