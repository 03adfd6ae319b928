// Jest's `testEnvironment`, loaded by Node itself: JavaScript, since Jest would compile a
// TypeScript one to CommonJS, whose `import()` becomes a `require`.
import { TestEnvironment } from 'jest-environment-node';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const DIST = path.resolve(import.meta.dirname, '..', '..', 'dist');
const SUPPORT = import.meta.dirname;

/**
 * Node's own environment, plus `importBuilt` (typed in `built.ts`): the specs' app is the
 * build in `dist/` (the global setup rebuilds it when a source is newer), imported by the
 * worker's Node outside Jest's module sandbox. Jest evaluates every module again for every
 * spec file (1.5 to 2 CPU-seconds for the app and its packages); Node keeps them for the
 * worker's next files, each of which still creates an app of its own on a database of its own.
 *
 * `importSupport` (typed in `built.ts` too) does the same for a module of `test/support/`,
 * TypeScript run by Node as it is: state that costs to build and that every file would build
 * again, such as the OpenAPI checker's compiled validators, is then built once per worker.
 */
export default class BuiltAppEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    // A spec's Date reaches the app as a value (a purge's cut-off), and MikroORM tests it with
    // `instanceof`: a Date of the sandbox's own class was bound as text. One Date class for
    // both; unlike arrays and objects, no literal syntax makes a Date of the sandbox's own.
    this.global.Date = Date;
    this.global.importBuilt = (specifier) =>
      import(specifier.startsWith('.') ? pathToFileURL(path.join(DIST, specifier)).href : specifier);
    this.global.importSupport = (file) => import(pathToFileURL(path.join(SUPPORT, file)).href);
  }
}
