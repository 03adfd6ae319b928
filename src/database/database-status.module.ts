import { Global, Module, type DynamicModule } from '@nestjs/common';
import { DatabaseOutages } from './database-outages.js';

/** What the app asks of a database process it runs itself (the embedded PostgreSQL). */
export interface SupervisedDatabase {
  /** The postmaster runs and accepted connections since it last (re)started. */
  readonly running: boolean;
}

export const SUPERVISED_DATABASE = Symbol('SUPERVISED_DATABASE');

/** With `DATABASE_URL` nothing is supervised: only pinging the server tells. */
const NOT_SUPERVISED: SupervisedDatabase = { running: true };

/** The database's state as the whole app sees it: the supervised process, and outages seen by requests. */
@Global()
@Module({})
export class DatabaseStatusModule {
  static forRoot(supervised: SupervisedDatabase = NOT_SUPERVISED): DynamicModule {
    return {
      module: DatabaseStatusModule,
      providers: [{ provide: SUPERVISED_DATABASE, useValue: supervised }, DatabaseOutages],
      exports: [SUPERVISED_DATABASE, DatabaseOutages],
    };
  }
}
