import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';
import { readFile, writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';

export const OPENAPI_DOCUMENT = new URL('../openapi.json', import.meta.url);
export const SCHEMA_FILE = new URL('./src/schema.d.ts', import.meta.url);

/**
 * The client's types, generated from the committed `openapi.json`. The drift test
 * (`test/client/schema.spec.ts`) compares this with `client/src/schema.d.ts`.
 */
export async function generateSchema(): Promise<string> {
  const document = await readFile(OPENAPI_DOCUMENT, 'utf8');
  // Passed as text: openapi-typescript reads a URL or path relative to its own cwd.
  const ast = await openapiTS(document, { alphabetize: false });
  return `${COMMENT_HEADER.replace(' */', ' * Regenerate with `npm run client:generate` (or `npm run openapi`).\n */')}${astToString(ast)}`;
}

// `npm run client:generate`
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await writeFile(SCHEMA_FILE, await generateSchema());
  process.stdout.write(`Wrote ${SCHEMA_FILE.pathname}\n`);
}
