import type { IncomingMessage, ServerResponse } from 'node:http';

/** Small HTTP helpers for the baseline: JSON in, JSON / problem+json out. */

export const MAX_BODY_BYTES = 100 * 1024;

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: { field: string; message: string }[],
  ) {
    super(title);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Sends an already serialised JSON body (idempotent replays). */
export function sendRawJson(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function problemBody(baseUrl: string, p: HttpProblem): Record<string, unknown> {
  return {
    type: `${baseUrl}/problems/${p.slug}`,
    title: p.title,
    status: p.status,
    ...(p.detail ? { detail: p.detail } : {}),
    ...(p.errors ? { errors: p.errors } : {}),
  };
}

export function sendProblem(res: ServerResponse, baseUrl: string, p: HttpProblem): void {
  const text = JSON.stringify(problemBody(baseUrl, p));
  res.writeHead(p.status, { 'content-type': 'application/problem+json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function readJsonBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpProblem(413, 'payload-too-large', 'Payload too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new HttpProblem(400, 'validation', 'Invalid request', 'The body is not valid JSON'));
      }
    });
    req.on('error', reject);
  });
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
