import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiTags, type SchemaObject } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { Public } from '../../common/auth/decorators.js';
import { ApiProblems } from '../../common/openapi/api-problems.decorator.js';
import { DatabaseHealthIndicator } from './database.health.js';
import { Draining } from './draining.js';

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
    private readonly shutdown: Draining,
  ) {}

  /** The process is up and serving HTTP (also while it drains: restarting it would not help). */
  @Get('live')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOkResponse({ description: 'Alive', schema: HEALTH_REPORT })
  checkLiveness(): HealthCheckResult {
    // Not through Terminus: it reports `shutting_down` (503) once shutdown begins.
    return { status: 'ok', info: {}, error: {}, details: {} };
  }

  /** The API can serve requests: its database answers, and it is not shutting down. */
  @Get('ready')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOkResponse({ description: 'Ready: the database answers', schema: HEALTH_REPORT })
  @ApiProblems(503)
  checkReadiness(): Promise<HealthCheckResult> {
    if (this.shutdown.draining) throw new ServiceUnavailableException({ status: 'shutting_down' });
    return this.health.check([() => this.database.ping()]);
  }
}
