import type { OpenAPIObject } from '@nestjs/swagger';
import request from 'supertest';
import { factories, Factories, inDays } from './factories';
import { createOpenApiDocument } from '../src/openapi';
import { checkedAgent, OpenApiResponseChecker } from './support/openapi-responses';
import { BASE_URL, createTestApp, TestApp } from './support/test-app';

interface Loose {
  paths: Record<string, Record<string, { responses: Record<string, { content?: object }> }>>;
  components: { schemas: Record<string, { properties: Record<string, object> }> };
}

/** The check every e2e request goes through (test/support/test-app.ts) must be able to fail. */
describe('answers are checked against the OpenAPI document', () => {
  let t: TestApp;
  let f: Factories;
  let served: OpenAPIObject;

  beforeAll(async () => {
    t = await createTestApp();
    f = await factories(t);
    served = (await t.http.get('/docs-json').expect(200)).body as OpenAPIObject;
  });
  afterAll(() => t.close());

  /** The agent, checked against a copy of the served document changed by `edit`. */
  function agentFor(edit: (document: Loose) => void) {
    const document = structuredClone(served) as unknown as Loose;
    edit(document);
    return checkedAgent(request(t.app.getHttpServer()), new OpenApiResponseChecker(document as unknown as OpenAPIObject));
  }

  it('is checked against the document openapi.json holds (built without a database), as served', async () => {
    expect(served).toEqual(await createOpenApiDocument(BASE_URL));
  });

  it('passes what the document says', async () => {
    await f.publishedSession({ startsAt: inDays(3), endsAt: inDays(3, 1) });
    await agentFor(() => undefined)
      .get('/sessions')
      .expect(200);
  });

  it('fails the request on a property the schema does not name', async () => {
    await f.publishedSession({ startsAt: inDays(3), endsAt: inDays(3, 1) });
    const agent = agentFor((d) => delete d.components.schemas.SessionView.properties.sequence);
    await expect(agent.get('/sessions').expect(200)).rejects.toThrow(/data\/0: has "sequence", which the schema does not name/);
  });

  it('fails it on a value of the wrong type or format', async () => {
    const session = await f.publishedSession({ startsAt: inDays(3), endsAt: inDays(3, 1) });
    const agent = agentFor((d) => (d.components.schemas.SessionView.properties.eventId = { type: 'integer' }));
    await expect(agent.get(`/sessions/${session.id}`)).rejects.toThrow(/eventId: must be integer/);
    const dates = agentFor((d) => (d.components.schemas.SessionView.properties.startsAt = { type: 'string', format: 'uuid' }));
    await expect(dates.get(`/sessions/${session.id}`)).rejects.toThrow(/startsAt: must match format "uuid"/);
  });

  it('fails it on a status or a media type the operation does not list', async () => {
    const agent = agentFor((d) => {
      delete d.paths['/sessions/{id}'].get.responses['404'];
      d.paths['/events/{idOrSlug}'].get.responses['404'].content = { 'application/json': {} };
    });
    await expect(agent.get('/sessions/00000000-0000-4000-8000-000000000000')).rejects.toThrow(
      /GET \/sessions\/0{8}-.* answered 404 .*a status that GET \/sessions\/\{id\} does not list/,
    );
    await expect(agent.get('/events/nothing-here')).rejects.toThrow(/lists application\/json for 404/);
  });

  it('still checks that answers outside the document are well-formed problems', async () => {
    const agent = agentFor((d) => (d.components.schemas.ProblemSchema.properties.status = { type: 'string' }));
    await expect(agent.get('/no/such/path')).rejects.toThrow(/status: must be string/);
  });
});
