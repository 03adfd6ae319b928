import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { InjectAppConfig, type AppConfig } from '../../config/app-config.module.js';

/**
 * Rolling deploys: when the app starts shutting down, readiness answers 503 at once, and
 * the listener stays open for `SHUTDOWN_DELAY_MS` more, serving new requests as usual, so
 * the load balancer sees the instance leave before its connections are refused. Only
 * then does Nest close the HTTP server, which lets in-flight requests finish.
 */
@Injectable()
export class Draining implements BeforeApplicationShutdown {
  private started = false;

  constructor(@InjectAppConfig() private readonly config: AppConfig) {}

  get draining(): boolean {
    return this.started;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.started = true;
    const delayMs = this.config.http.shutdownDelayMs;
    if (delayMs > 0) await sleep(delayMs);
  }
}
