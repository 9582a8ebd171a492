import { createHash } from 'node:crypto';
import helmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import Fastify from 'fastify';
import { CSP, docsPolicy, EMBED_HEADERS, httpServerOptions, SECURITY_HEADERS } from './http-security';

/** What @fastify/helmet itself sends for `options`: the headers it sets, before any route adds its own. */
async function helmetSends(options: FastifyHelmetOptions): Promise<Record<string, unknown>> {
  const probe = Fastify();
  await probe.register(helmet, options);
  probe.get('/', (_request, reply) => reply.send(reply.raw.getHeaders()));
  try {
    return (await probe.inject('/')).json();
  } finally {
    await probe.close();
  }
}

/** The configuration the constant headers stand for. */
const HELMET: FastifyHelmetOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: { ...CSP } },
  crossOriginResourcePolicy: { policy: 'cross-origin' },
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
  strictTransportSecurity: false,
};

describe('SECURITY_HEADERS', () => {
  it('are exactly what @fastify/helmet sends for the configuration they stand for', async () => {
    expect(SECURITY_HEADERS).toEqual(await helmetSends(HELMET));
  });

  it('for the embeddable box: the same, except that any site may frame it', async () => {
    const framed = await helmetSends({
      ...HELMET,
      contentSecurityPolicy: { useDefaults: false, directives: { ...CSP, 'frame-ancestors': ['*'] } },
      frameguard: false,
    });
    expect(EMBED_HEADERS).toEqual(framed);
  });
});

describe('httpServerOptions', () => {
  it('cuts a request off after 30 s by default, headers after 10 s, a silent socket after 60 s; keeps alive 72 s', () => {
    const server = httpServerOptions('http://x').serverFactory!(() => undefined, {});
    expect({
      requestTimeout: server.requestTimeout,
      headersTimeout: server.headersTimeout,
      timeout: server.timeout,
      keepAliveTimeout: server.keepAliveTimeout,
    }).toEqual({ requestTimeout: 30_000, headersTimeout: 10_000, timeout: 60_000, keepAliveTimeout: 72_000 });
  });
});

describe('docsPolicy', () => {
  const hash = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

  it('allows exactly the inline styles of the page, and no inline script', () => {
    const html = '<style>body{margin:0}</style><svg style="position:absolute"></svg><style>\n.a{}\n</style><script src="x.js"></script>';
    const policy = docsPolicy(html);
    expect(policy).toContain(`style-src 'self' ${hash('body{margin:0}')} ${hash('\n.a{}\n')}`);
    expect(policy).toContain(`style-src-attr 'unsafe-hashes' ${hash('position:absolute')}`);
    expect(policy).toContain("script-src 'self';");
    expect(policy).not.toContain('unsafe-inline');
  });
});
