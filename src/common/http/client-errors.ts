import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { PROBLEM_CONTENT_TYPE, type ProblemDetails } from './problem-details.filter.js';
import { REQUEST_ID_HEADER } from './request-id.js';

/** What Node's HTTP parser refused, in the client's terms. */
function describe(code: string | undefined): { status: number; detail: string } {
  if (code === 'HPE_HEADER_OVERFLOW') return { status: 431, detail: 'The request headers are larger than 16 KiB' };
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return { status: 408, detail: 'The request was not received in time' };
  return { status: 400, detail: 'The request is not valid HTTP (malformed headers or framing)' };
}

/**
 * Fastify's `clientErrorHandler`: requests Node's HTTP parser refuses before any route
 * (headers over 16 KiB, conflicting Content-Length and Transfer-Encoding) still get a
 * problem document, where the socket allows an answer at all. As in Node's own
 * handler, the connection closes after it.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const { status, detail } = describe(error.code);
    const problem: ProblemDetails = {
      type: 'about:blank',
      title: STATUS_CODES[status] ?? 'Error',
      status,
      detail,
      requestId: randomUUID(),
    };
    const body = JSON.stringify(problem);
    socket.write(
      `HTTP/1.1 ${status} ${problem.title}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n${REQUEST_ID_HEADER}: ${problem.requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
