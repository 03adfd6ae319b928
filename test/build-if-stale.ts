// Loaded by Node itself (Jest's global setup), not through Jest's transform.
import { execFile } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.resolve(import.meta.dirname, '..');
/** What `nest build` reads besides `src/`. */
const BUILD_INPUTS = ['nest-cli.json', 'tsconfig.json', 'tsconfig.build.json'];

async function filesUnder(dir: string, suffix: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(suffix))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

async function modifiedTimes(files: string[]): Promise<number[]> {
  return Promise.all(files.map(async (file) => (await stat(file)).mtimeMs));
}

/**
 * The specs that start the server as an operator does (`test/process/`, the demo seed) run
 * `dist/`. Builds it when a source or build setting is newer than the oldest built file, so
 * a run after an edit gets a current build and every other run pays nothing. Without the type
 * check (`npm run check` and `npm run build` do that): the swc compile alone takes a second or
 * two, and a type error in work in progress does not stop the specs that do not need it.
 */
export async function buildIfStale(): Promise<'built' | 'current'> {
  const [sources, built] = await Promise.all([
    filesUnder(path.join(ROOT, 'src'), '.ts').then((files) =>
      modifiedTimes([...files, ...BUILD_INPUTS.map((file) => path.join(ROOT, file))]),
    ),
    filesUnder(path.join(ROOT, 'dist'), '.js').then(modifiedTimes),
  ]);
  if (built.length > 0 && Math.min(...built) > Math.max(...sources)) return 'current';
  const nest = path.join(ROOT, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js');
  await promisify(execFile)(process.execPath, [nest, 'build', '--no-type-check'], { cwd: ROOT }).catch(
    (error: unknown) => {
      const output = (key: 'stdout' | 'stderr') => {
        const value: unknown = typeof error === 'object' && error !== null ? Reflect.get(error, key) : undefined;
        return typeof value === 'string' ? value : '';
      };
      throw new Error(`nest build failed:\n${output('stdout')}${output('stderr')}`, { cause: error });
    },
  );
  return 'built';
}
