/** Small response helpers shared by the samples. */
import { IncomingMessage, ServerResponse } from 'http';

export function sendJson(response: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value, null, 2) + '\n';
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
  response.end(body);
}

export function sendText(response: ServerResponse, status: number, text: string, contentType = 'text/plain; charset=utf-8', headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

export function notFound(response: ServerResponse): void {
  sendJson(response, 404, { error: 'Not Found' });
}

export function methodNotAllowed(response: ServerResponse, allowed: string): void {
  sendJson(response, 405, { error: 'Method Not Allowed' }, { allow: allowed });
}

/** Reads the whole request body as text (capped at `limit` bytes). */
export function readBody(request: IncomingMessage, limit = 1 << 20): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error(`request body larger than ${limit} bytes`));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** The request's path and query, parsed. */
export function requestUrl(request: IncomingMessage): URL {
  return new URL(request.url ?? '/', 'http://sample.local');
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
