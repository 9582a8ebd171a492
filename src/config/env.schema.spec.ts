import { ConfigError, loadConfig } from './env.schema';

describe('configuration', () => {
  it('has defaults for an empty environment', () => {
    expect(loadConfig({})).toEqual({
      port: 3000,
      host: '0.0.0.0',
      databaseUrl: undefined,
      publicBaseUrl: 'http://localhost:3000',
      admin: undefined,
      seedDemo: true,
      rateLimit: true,
      logLevel: 'info',
      dataDir: '.data',
      trustProxy: undefined,
      corsOrigins: [],
      smtpUrl: undefined,
      mailFrom: 'Eventline <no-reply@localhost>',
      mailDelivery: true,
    });
  });

  it('reads the mail settings', () => {
    expect(loadConfig({ SMTP_URL: 'smtps://user:secret@mail.example.com:465', MAIL_FROM: 'Events <events@example.com>' })).toMatchObject({
      smtpUrl: 'smtps://user:secret@mail.example.com:465',
      mailFrom: 'Events <events@example.com>',
    });
    expect(loadConfig({ SMTP_URL: 'smtp://127.0.0.1:2525', MAIL_FROM: 'events@example.com' })).toMatchObject({
      smtpUrl: 'smtp://127.0.0.1:2525',
      mailFrom: 'events@example.com',
    });
    expect(loadConfig({ MAIL_DELIVERY: 'off' }).mailDelivery).toBe(false);
    expect(loadConfig({ MAIL_DELIVERY: 'on' }).mailDelivery).toBe(true);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '127.0.0.1',
      DATABASE_URL: 'postgres://u:p@db.internal:5432/eventline',
      PUBLIC_BASE_URL: 'https://events.example.com/',
      ADMIN_EMAIL: 'admin@example.com',
      ADMIN_PASSWORD: 'a-long-password',
      RATE_LIMIT: 'off',
      LOG_LEVEL: 'warn',
      CORS_ORIGINS: 'https://admin.example.com, http://localhost:5173',
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      databaseUrl: 'postgres://u:p@db.internal:5432/eventline',
      publicBaseUrl: 'https://events.example.com',
      admin: { email: 'admin@example.com', password: 'a-long-password' },
      seedDemo: false,
      rateLimit: false,
      logLevel: 'warn',
      corsOrigins: ['https://admin.example.com', 'http://localhost:5173'],
    });
    expect(loadConfig({ PORT: '4000' }).publicBaseUrl).toBe('http://localhost:4000');
    expect(loadConfig({ DATABASE_URL: 'postgresql://localhost/x', SEED_DEMO: 'true' }).seedDemo).toBe(true);
    expect(loadConfig({ SEED_DEMO: 'false' }).seedDemo).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8' }).trustProxy).toEqual(['127.0.0.1', '10.0.0.0/8']);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(['::', 'localhost', 'eventline.internal'].map((HOST) => loadConfig({ HOST }).host)).toEqual([
      '::',
      'localhost',
      'eventline.internal',
    ]);
  });

  it.each([
    ['PORT', { PORT: 'eighty' }],
    ['PORT', { PORT: '70000' }],
    ['HOST', { HOST: 'http://0.0.0.0' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://localhost/x' }],
    ['PUBLIC_BASE_URL', { PUBLIC_BASE_URL: 'ftp://x' }],
    ['ADMIN_EMAIL', { ADMIN_EMAIL: 'nope', ADMIN_PASSWORD: 'a-long-password' }],
    ['ADMIN_PASSWORD', { ADMIN_EMAIL: 'a@b.co', ADMIN_PASSWORD: 'short' }],
    ['ADMIN_PASSWORD', { ADMIN_EMAIL: 'a@b.co' }],
    ['SEED_DEMO', { SEED_DEMO: 'maybe' }],
    ['RATE_LIMIT', { RATE_LIMIT: 'sometimes' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['TRUST_PROXY', { TRUST_PROXY: 'true' }],
    ['TRUST_PROXY', { TRUST_PROXY: '10.0.0.0/40' }],
    ['TRUST_PROXY', { TRUST_PROXY: '0' }],
    ['CORS_ORIGINS', { CORS_ORIGINS: 'https://admin.example.com/' }],
    ['CORS_ORIGINS', { CORS_ORIGINS: 'admin.example.com' }],
    ['CORS_ORIGINS', { CORS_ORIGINS: '*' }],
    ['CORS_ORIGINS', { CORS_ORIGINS: 'https://ok.example.com,ftp://files.example.com' }],
    ['SMTP_URL', { SMTP_URL: 'http://mail.example.com' }],
    ['SMTP_URL', { SMTP_URL: 'mail.example.com:587' }],
    ['MAIL_FROM', { MAIL_FROM: 'not an address' }],
    ['MAIL_FROM', { MAIL_FROM: 'Eventline <a@b.co>\r\nBcc: x@y.z' }],
    ['MAIL_DELIVERY', { MAIL_DELIVERY: 'yes' }],
  ])('a bad %s stops with one line naming it', (name, env) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain(name);
    expect(message).not.toContain('\n');
  });
});
