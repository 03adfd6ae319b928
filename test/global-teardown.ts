import { dropDatabase } from '../src/database/embedded-postgres.ts';

export default async function globalTeardown(): Promise<void> {
  const serverUrl = process.env.YELLO_TEST_SERVER_URL;
  const template = process.env.YELLO_TEST_TEMPLATE;
  if (globalThis.yelloTestPostgres) {
    await globalThis.yelloTestPostgres.stop();
  } else if (serverUrl && template) {
    await dropDatabase(serverUrl, template);
  }
}
