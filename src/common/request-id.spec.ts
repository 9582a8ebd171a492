import type { IncomingMessage } from 'node:http';
import { requestIdOf } from './request-id';

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
