import { readFile } from 'node:fs/promises';
import { generateSchema, SCHEMA_FILE } from '../../client/generate-schema.js';

describe('typed client types', () => {
  it('match openapi.json (run `npm run client:generate` after changing it)', async () => {
    expect(await readFile(SCHEMA_FILE, 'utf8')).toBe(await generateSchema());
  });
});
