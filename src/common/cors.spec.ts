import cors from '@fastify/cors';
import Fastify, { type FastifyInstance, type InjectOptions } from 'fastify';
import { type CorsPolicy, EXPOSED_HEADERS, PUBLIC_CORS, staffCors, useCors } from './cors';

const STAFF_ORIGIN = 'https://admin.example.com';
const OTHER_ORIGIN = 'https://news.example';

/**
 * The same routes on both sides, so that only CORS can make their answers differ; no body
 * parsers, so that a preflight answered after its body is read would be a 415.
 */
function withRoutes(app: FastifyInstance): FastifyInstance {
  app.removeAllContentTypeParsers();
  app.get('/events', () => ({ data: [] }));
  app.get('/admin/events', () => ({ data: [] }));
  return app;
}

/** What @fastify/cors itself answers with `policy` as its (static) options. */
async function pluginAnswers(policy: CorsPolicy, requests: InjectOptions[]): Promise<unknown[]> {
  const app = Fastify();
  await app.register(cors, {
    origin: policy.origins === '*' ? '*' : [...policy.origins],
    credentials: false,
    methods: [...policy.methods],
    allowedHeaders: [...policy.allowedHeaders],
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600,
    strictPreflight: false,
  });
  return answers(withRoutes(app), requests);
}

async function ourAnswers(requests: InjectOptions[]): Promise<unknown[]> {
  const app = Fastify();
  useCors(app, [STAFF_ORIGIN]);
  return answers(withRoutes(app), requests);
}

async function answers(app: FastifyInstance, requests: InjectOptions[]): Promise<unknown[]> {
  try {
    const out = [];
    for (const request of requests) {
      const { statusCode, headers, body } = await app.inject(request);
      const { date: _date, connection: _connection, ...rest } = headers;
      out.push({ request, statusCode, headers: rest, body });
    }
    return out;
  } finally {
    await app.close();
  }
}

const preflight = (url: string, origin?: string): InjectOptions => ({
  method: 'OPTIONS',
  url,
  headers: {
    ...(origin ? { origin } : {}),
    'access-control-request-method': 'POST',
    'access-control-request-headers': 'content-type,authorization',
  },
});

describe('useCors', () => {
  it('answers public routes as @fastify/cors does with the public options: any origin, no Vary', async () => {
    const requests: InjectOptions[] = [
      { method: 'GET', url: '/events', headers: { origin: OTHER_ORIGIN } },
      { method: 'GET', url: '/events' },
      preflight('/events', OTHER_ORIGIN),
      preflight('/sessions/x/registrations', OTHER_ORIGIN),
      { method: 'OPTIONS', url: '/events' },
      { method: 'OPTIONS', url: '/events', headers: { 'content-type': 'text/plain' }, payload: 'not a body anyone reads' },
      { method: 'GET', url: '/nowhere', headers: { origin: OTHER_ORIGIN } },
    ];
    const ours = await ourAnswers(requests);
    expect(ours).toEqual(await pluginAnswers(PUBLIC_CORS, requests));
    expect(ours[0]).toMatchObject({ headers: { 'access-control-allow-origin': '*' } });
  });

  it('answers staff routes as @fastify/cors does with the staff options: listed origins only, echoed', async () => {
    const requests: InjectOptions[] = [
      { method: 'GET', url: '/admin/events', headers: { origin: STAFF_ORIGIN } },
      { method: 'GET', url: '/admin/events', headers: { origin: OTHER_ORIGIN } },
      { method: 'GET', url: '/admin/events' },
      preflight('/admin/events', STAFF_ORIGIN),
      preflight('/admin/events', OTHER_ORIGIN),
      preflight('/auth/login', STAFF_ORIGIN),
    ];
    const ours = await ourAnswers(requests);
    expect(ours).toEqual(await pluginAnswers(staffCors([STAFF_ORIGIN]), requests));
    expect(ours[0]).toMatchObject({ headers: { 'access-control-allow-origin': STAFF_ORIGIN, vary: 'Origin' } });
    expect(ours[1]).not.toHaveProperty('headers.access-control-allow-origin');
  });
});
