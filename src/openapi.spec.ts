import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OpenAPIObject } from '@nestjs/swagger';
import ts from 'typescript';
import { createOpenApiDocument, serializeDocument } from './openapi';

const ROOT = join(__dirname, '..');

/**
 * A typed use of every request body, as an integrator would write it against the generated client.
 * The @ts-expect-error lines are what the API refuses: they fail the compile if the types loosen.
 */
const CLIENT_USAGE = `
import type { components, paths } from './eventline';
type Schemas = components['schemas'];
type Body<P extends keyof paths, M extends keyof paths[P]> =
  paths[P][M] extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;

const minimalEvent: Schemas['CreateEventDto'] = { title: 'Launch', timezone: 'Europe/Paris' };
const fullEvent: Body<'/admin/events', 'post'> = {
  title: 'Launch',
  timezone: 'Europe/Paris',
  summary: null,
  description: 'All day',
  organizer: 'TBJ',
  category: 'business',
  tags: ['a'],
  venue: { name: 'Hall' },
  onlineUrl: 'https://meet.example.com/x',
  status: 'published',
};
const eventChange: Body<'/admin/events/{id}', 'patch'> = { venue: null, summary: null, category: 'music' };
const session: Body<'/admin/events/{id}/sessions', 'post'> = {
  startsAt: '2027-08-01T18:00:00-07:00',
  endsAt: '2027-08-01T20:00:00-07:00',
  capacity: 10,
  venue: { name: 'Hall', city: null },
  waitlistEnabled: true,
  registrationOpensAt: null,
  registrationClosesAt: '2027-08-01T17:00:00-07:00',
};
const minimalSession: Schemas['CreateSessionDto'] = { startsAt: '2027-08-01T18:00:00Z', endsAt: '2027-08-01T20:00:00Z' };
const sessionChange: Body<'/admin/sessions/{id}', 'patch'> = { capacity: null };
const moreSeats: Schemas['UpdateSessionDto'] = { capacity: 20 };
const registration: Body<'/sessions/{id}/registrations', 'post'> = { name: 'Ada', email: 'ada@example.com' };
const login: Body<'/auth/login', 'post'> = { email: 'admin@example.com', password: 'secret' };
const password: Body<'/auth/password', 'post'> = { currentPassword: 'old', newPassword: 'a-new-long-password' };
const staffUser: Body<'/admin/users', 'post'> = { email: 'door@example.com', password: 'a-long-password', role: 'checkin' };
const staffChange: Body<'/admin/users/{id}', 'patch'> = { role: 'editor', disabled: false };

type Query<P extends keyof paths> = paths[P] extends { get: { parameters: { query?: infer Q } } } ? NonNullable<Q> : never;
const noQuery: Query<'/events'> = {};
const sessionQuery: Query<'/sessions'> = { limit: 10, from: '2027-08-01T00:00:00Z', eventId: 'a', category: 'music', cursor: 'c' };
const staffQuery: Query<'/admin/sessions/{id}/registrations'> = { status: 'waitlisted', q: 'ada' };

// @ts-expect-error title is required
const noTitle: Schemas['CreateEventDto'] = { timezone: 'UTC' };
// @ts-expect-error status is draft or published; events are cancelled through /cancel
const cancelled: Schemas['CreateEventDto'] = { title: 'x', timezone: 'UTC', status: 'cancelled' };
// @ts-expect-error the status changes only through /publish and /cancel
const statusChange: Schemas['UpdateEventDto'] = { status: 'published' };
// @ts-expect-error capacity is a number
const wordCapacity: Schemas['CreateSessionDto'] = { startsAt: 'a', endsAt: 'b', capacity: 'ten' };
// @ts-expect-error roles are admin, editor, checkin
const badRole: Schemas['CreateStaffUserDto'] = { email: 'a@b.c', password: 'p', role: 'owner' };

type Json<P extends keyof paths, M extends keyof paths[P], S extends number, T extends string = 'application/json'> =
  paths[P][M] extends { responses: { [K in S]: { content: { [C in T]: infer B } } } } ? B : never;
const page = {} as Json<'/events', 'get', 200>;
const next: string | null = page.nextCursor;
const capacity: number | null | undefined = page.data[0]?.sessions[0]?.capacity;
const hall: string | null | undefined = page.data[0]?.venue?.name;
const problem = {} as Json<'/sessions/{id}/registrations', 'post', 409, 'application/problem+json'>;
const status: number = problem.status;
const field: string | undefined = problem.errors?.[0]?.field;
const notFound = {} as Json<'/sessions/{id}/calendar.ics', 'get', 404, 'application/problem+json'>;
const token: string = ({} as Json<'/auth/login', 'post', 200>).accessToken;

export const used = [noQuery, sessionQuery, staffQuery, minimalEvent, fullEvent, eventChange, session, minimalSession, sessionChange, moreSeats, registration, login,
  password, staffUser, staffChange, noTitle, cancelled, statusChange, wordCapacity, badRole, next, capacity, hall, status, field,
  notFound, token];
`;

/** Runs a Node CLI; a non-zero exit fails the test with everything it printed. */
function run(cli: string, args: string[]): string {
  try {
    return execFileSync(process.execPath, [cli, ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: 'pipe',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${cli} ${args.join(' ')} failed:\n${stdout ?? ''}\n${stderr ?? ''}`);
  }
}

describe('the OpenAPI document', () => {
  let document: OpenAPIObject;
  let dir: string;
  let file: string;

  beforeAll(async () => {
    document = await createOpenApiDocument();
    dir = mkdtempSync(join(tmpdir(), 'eventline-openapi-'));
    file = join(dir, 'openapi.json');
    writeFileSync(file, serializeDocument(document));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is the committed openapi.json (run `npm run openapi` after changing the API)', () => {
    const committed: unknown = JSON.parse(readFileSync(join(ROOT, 'openapi.json'), 'utf8'));
    expect(committed).toEqual(JSON.parse(serializeDocument(document)));
  });

  it('passes Redocly lint with the recommended rules and no error', () => {
    // Exits non-zero on any error; warnings are those redocly.yaml keeps, each with its reason.
    run(join(ROOT, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js'), ['lint', '--config', join(ROOT, 'redocly.yaml'), file]);
  });

  it('generates a client (openapi-typescript) that compiles a typed use of every request body', () => {
    // The CLI, as the README tells integrators to run it (its Node API is ESM-only, which jest cannot load).
    run(join(ROOT, 'node_modules', 'openapi-typescript', 'bin', 'cli.js'), [file, '--output', join(dir, 'eventline.d.ts')]);
    const usage = join(dir, 'usage.ts');
    writeFileSync(usage, CLIENT_USAGE);
    const program = ts.createProgram([usage], {
      strict: true,
      noEmit: true,
      noUnusedLocals: false,
      skipLibCheck: true,
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2022.d.ts'],
      module: ts.ModuleKind.CommonJS,
      types: [],
    });
    const errors = ts
      .getPreEmitDiagnostics(program)
      .map(
        (d) =>
          `${d.file ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1} ` : ''}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
      );
    expect(errors).toEqual([]);
  });

  it('says for every operation what it is, who may call it, and answers errors as problem+json', () => {
    const tags = new Set((document.tags ?? []).map((t) => t.name));
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, op] of Object.entries(item as Record<string, Record<string, unknown>>)) {
        const where = `${method.toUpperCase()} ${path}`;
        expect({ where, summary: typeof op.summary, description: typeof op.description }).toEqual({
          where,
          summary: 'string',
          description: 'string',
        });
        expect({ where, tags: (op.tags as string[]).every((t) => tags.has(t)) }).toEqual({ where, tags: true });
        expect({ where, security: Array.isArray(op.security) }).toEqual({ where, security: true });
        for (const [status, response] of Object.entries(op.responses as Record<string, { content?: object }>)) {
          if (Number(status) < 400) continue;
          expect({ where, status, media: Object.keys(response.content ?? {}) }).toEqual({
            where,
            status,
            media: ['application/problem+json'],
          });
        }
      }
    }
    expect(document.servers).toEqual([{ url: 'http://localhost:3000' }]);
    expect(document.components?.securitySchemes?.bearer).not.toHaveProperty('bearerFormat');
  });
});
