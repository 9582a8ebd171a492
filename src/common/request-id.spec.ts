import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { currentRequestId, requestIdOf, withRequestIds } from './request-id';

const message = (headers: Record<string, string | string[]>): IncomingMessage => ({ headers }) as unknown as IncomingMessage;

describe('requestIdOf', () => {
  it('keeps a sane X-Request-Id, and rewrites the header to the id it returns', () => {
    const req = message({ 'x-request-id': 'edge-42:a.b_c' });
    expect(requestIdOf(req)).toBe('edge-42:a.b_c');
    expect(req.headers['x-request-id']).toBe('edge-42:a.b_c');
  });

  it.each([['has spaces'], ['<script>'], ['x'.repeat(129)], [['a', 'b']]])('replaces %j with a UUID', (given) => {
    const req = message({ 'x-request-id': given });
    const id = requestIdOf(req);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(req.headers['x-request-id']).toBe(id);
    expect(requestIdOf(req)).toBe(id);
  });
});

describe('withRequestIds', () => {
  let server: Server;
  let port: number;

  beforeAll(async () => {
    // The id is read after a timer and a promise: it follows the request's asynchronous work.
    server = createServer(
      withRequestIds((_req, res) => {
        setTimeout(() => void Promise.resolve().then(() => res.end(String(currentRequestId()))), 5);
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const idSeenBy = (headers: Record<string, string>): Promise<string> =>
    new Promise((resolve, reject) =>
      get({ port, host: '127.0.0.1', path: '/', headers }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve(body));
      }).on('error', reject),
    );

  it("gives each request's work its own id, concurrent requests included", async () => {
    const ids = await Promise.all(['one', 'two', 'three'].map((id) => idSeenBy({ 'X-Request-Id': id })));
    expect(ids).toEqual(['one', 'two', 'three']);
    expect(await idSeenBy({})).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('is null outside a request', () => {
    expect(currentRequestId()).toBeNull();
  });
});
