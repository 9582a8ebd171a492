import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { AppOptions, createApp } from '../../src/app.factory';
import { hashPassword } from '../../src/auth/passwords';
import type { Role } from '../../src/auth/staff-user.entity';
import { AppConfig, loadConfig } from '../../src/config/env.schema';
import { typeormOptions } from '../../src/database/typeorm-options';
import { checkedAgent, OpenApiResponseChecker } from './openapi-responses';
import { createTestDatabase, dropTestDatabase } from './test-database';

export const BASE_URL = 'http://eventline.test';

export interface TestApp {
  app: NestFastifyApplication;
  http: TestAgent;
  /** A second connection for arranging and checking rows directly. */
  db: DataSource;
  databaseUrl: string;
  /** Logs in a new staff user with this role and returns its bearer token. */
  tokenFor(role: Role): Promise<string>;
  close(): Promise<void>;
}

/** The whole application in-process, on its own freshly migrated database. */
export async function createTestApp(overrides: Partial<AppConfig> = {}, options: AppOptions = {}): Promise<TestApp> {
  const databaseUrl = await createTestDatabase();
  // Mail without SMTP_URL goes to <dataDir>/mail as .eml files: a temporary folder, not the checkout.
  const dataDir = join(tmpdir(), 'eventline-test-data');
  const config = {
    ...loadConfig({ PUBLIC_BASE_URL: BASE_URL, LOG_LEVEL: 'silent', RATE_LIMIT: 'off' }),
    dataDir,
    ...overrides,
    databaseUrl,
  };
  const app = await createApp(config, options);
  await app.getHttpAdapter().getInstance().ready();
  const db = await new DataSource(typeormOptions(databaseUrl, { poolSize: 4 })).initialize();
  // Every answer the specs receive is checked against the document this very app serves.
  const served = await app.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/docs-json' });
  const http = checkedAgent(request(app.getHttpServer()), new OpenApiResponseChecker(served.json()));
  let users = 0;
  return {
    app,
    http,
    db,
    databaseUrl,
    async tokenFor(role) {
      const email = `${role}-${++users}-${Date.now()}@staff.test`;
      const password = 'a-long-enough-password';
      await db.query(`INSERT INTO staff_users (email, password_hash, role) VALUES ($1, $2, $3)`, [
        email,
        await hashPassword(password),
        role,
      ]);
      const res = await http.post('/auth/login').send({ email, password }).expect(200);
      return res.body.accessToken as string;
    },
    async close() {
      await app.close();
      await db.destroy();
      await dropTestDatabase(databaseUrl);
    },
  };
}
