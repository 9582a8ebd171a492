import { createHash } from 'node:crypto';
import { docsPolicy, httpServerOptions } from './http-security';

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
