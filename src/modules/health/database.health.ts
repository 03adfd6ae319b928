import { MikroORM } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { SUPERVISED_DATABASE, type SupervisedDatabase } from '../../database/database-status.module.js';

const PING_TIMEOUT_MS = 1500;

/**
 * Pings PostgreSQL through the app's own ORM instance. (Terminus' MikroOrmHealthIndicator
 * looks the ORM up through a dynamically loaded copy of @mikro-orm/core, which is not
 * the instance the app registered when modules are loaded twice, as under Jest.)
 */
@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    private readonly orm: MikroORM,
    private readonly health: HealthIndicatorService,
    @Inject(SUPERVISED_DATABASE) private readonly supervised: SupervisedDatabase,
  ) {}

  async ping(key = 'database'): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    // The embedded PostgreSQL's exit is known at once, before a ping would tell.
    if (!this.supervised.running) return indicator.down({ message: 'The embedded PostgreSQL is restarting' });
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.orm.em.getConnection().execute('select 1'),
        new Promise((_resolve, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), PING_TIMEOUT_MS);
        }),
      ]);
      return indicator.up({ responseTime: Date.now() - started });
    } catch {
      return indicator.down({ message: 'The database does not answer' });
    } finally {
      clearTimeout(timer);
    }
  }
}
