// A webhook receiver that verifies each delivery with the `standardwebhooks` package:
//   WEBHOOK_SECRET=whsec_… PORT=8080 node client/webhook-receiver.ts
// It prints `<type> <webhook-id>` for each verified delivery; test/client/webhook-receiver.spec.ts runs it.
import { createServer } from 'node:http';
import { Webhook } from 'standardwebhooks';

const webhook = new Webhook(process.env.WEBHOOK_SECRET ?? '');
const server = createServer((request, response) => {
  let body = '';
  request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
  request.on('end', () => {
    const header = (name: string) => String(request.headers[name]);
    const headers = {
      'webhook-id': header('webhook-id'),
      'webhook-timestamp': header('webhook-timestamp'),
      'webhook-signature': header('webhook-signature'),
    };
    try {
      // Checks the signature (any of them, during a rotation) and that the timestamp is recent.
      const event = webhook.verify(body, headers);
      const type = typeof event === 'object' && event !== null && 'type' in event ? String(event.type) : '?';
      console.log(`${type} ${headers['webhook-id']}`);
      response.writeHead(204).end(); // a 2xx, within 10 s: anything else is retried
    } catch {
      response.writeHead(400).end();
    }
  });
});
server.listen(Number(process.env.PORT ?? 8080), '127.0.0.1', () => console.log('listening'));
