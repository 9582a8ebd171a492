import type { OpenAPIObject } from '@nestjs/swagger';
import OpenAPIResponseValidator from 'openapi-response-validator';
import type TestAgent from 'supertest/lib/agent';
import type { Response } from 'supertest';

type Json = Record<string, unknown>;
interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: Json }> }>;
}
interface Route {
  template: string;
  pattern: RegExp;
  item: Record<string, Operation>;
}

const JSON_MEDIA = /^application\/(?:[\w.-]+\+)?json$/;

/** Formats the document uses, checked as a client would rely on them (ajv alone ignores them). */
const FORMATS: Record<string, (value: string) => boolean> = {
  uuid: (v) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v),
  'date-time': (v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i.test(v) && !Number.isNaN(Date.parse(v)),
  email: (v) => /^[^\s@]+@[^\s@]+$/.test(v),
  uri: (v) => URL.canParse(v),
};

/**
 * Checks each answer against the OpenAPI document: the operation must list the status, the media
 * type must be one it lists, and a JSON body must match its schema, with no property the schema
 * does not name. Answers to paths or methods the document leaves out (the HTML pages, 405s, unknown
 * paths) are only checked to be well-formed problems when they are errors.
 */
export class OpenApiResponseChecker {
  private readonly routes: Route[];
  private readonly components: Json;
  private readonly validators = new Map<string, OpenAPIResponseValidator>();

  constructor(document: OpenAPIObject) {
    this.components = closeObjects(structuredClone(document.components ?? {})) as Json;
    this.routes = Object.entries(document.paths)
      .map(([template, item]) => ({
        template,
        pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
        item: item as unknown as Record<string, Operation>,
      }))
      // As the router does: a literal segment wins over a parameter.
      .sort((a, b) => (a.template.match(/\{/g) ?? []).length - (b.template.match(/\{/g) ?? []).length);
  }

  /** What is wrong with this answer, or undefined. */
  check(method: string, url: string, res: Pick<Response, 'status' | 'headers' | 'body' | 'text'>): string | undefined {
    const { pathname } = new URL(url, 'http://localhost');
    const verb = method.toLowerCase() === 'head' ? 'get' : method.toLowerCase();
    const route = this.routes.find((r) => r.pattern.test(pathname) && r.item[verb]);
    const media = String(res.headers['content-type'] ?? '')
      .split(';')[0]
      .trim()
      .toLowerCase();
    const status = String(res.status);
    const where = `${method.toUpperCase()} ${pathname} answered ${status}${media ? ` (${media})` : ''}`;
    if (!route) {
      if (media !== 'application/problem+json') return undefined;
      return this.validate('problem', { $ref: '#/components/schemas/ProblemSchema' }, res, where);
    }
    const operation = route.item[verb];
    const documented = operation.responses[status] ?? operation.responses[`${status[0]}XX`] ?? operation.responses.default;
    if (!documented) {
      return `${where}, a status that ${verb.toUpperCase()} ${route.template} does not list (${Object.keys(operation.responses).join(', ')})`;
    }
    const content = documented.content ?? {};
    const hasBody = method.toLowerCase() !== 'head' && res.status !== 204 && res.status !== 304 && (res.text ?? '') !== '';
    if (!hasBody) {
      if (Object.keys(content).length > 0 && method.toLowerCase() !== 'head' && res.status !== 304) {
        return `${where} with no body; the document promises ${Object.keys(content).join(' or ')}`;
      }
      return undefined;
    }
    const schema = content[media]?.schema;
    if (!content[media]) {
      return `${where}; the document lists ${Object.keys(content).join(', ') || 'no body'} for ${status}`;
    }
    if (!JSON_MEDIA.test(media) || !schema) return undefined;
    return this.validate(`${verb} ${route.template} ${status} ${media}`, schema, res, where);
  }

  private validate(key: string, schema: Json, res: Pick<Response, 'status' | 'body'>, where: string): string | undefined {
    let validator = this.validators.get(key);
    if (!validator) {
      // The validator reads the first media type of a response: give it only the one that was sent,
      // as the default (the key already names the status, if there is one).
      const responses = {
        default: { description: '', content: { 'application/json': { schema: closeObjects(structuredClone(schema)) } } },
      };
      validator = new OpenAPIResponseValidator({
        responses: responses as never,
        components: this.components as never,
        customFormats: FORMATS,
        errorTransformer: nameExtraProperty as never,
      });
      this.validators.set(key, validator);
    }
    const result = validator.validateResponse(res.status, res.body);
    if (!result) return undefined;
    const errors = result.errors.map((e: { path?: string; message?: string }) => `  ${e.path || '(body)'}: ${e.message}`).join('\n');
    return `${where}, a body that does not match the document:\n${errors}\nbody: ${JSON.stringify(res.body).slice(0, 2000)}`;
  }
}

/** ajv's "must NOT have additional properties" does not say which one. */
function nameExtraProperty(
  error: { path?: string; message?: string },
  ajvError: { keyword: string; params: Record<string, unknown> },
): { path?: string; message?: string } {
  if (ajvError.keyword !== 'additionalProperties') return error;
  return { ...error, message: `has "${String(ajvError.params.additionalProperty)}", which the schema does not name` };
}

/**
 * Test-only strictness: an object schema names every property an answer may carry, and a nullable
 * reference (`nullable` beside `allOf`, which the validator would read as "null must match the ref")
 * becomes "the ref, or null".
 */
function closeObjects(node: unknown): unknown {
  if (Array.isArray(node)) {
    node.forEach(closeObjects);
    return node;
  }
  if (!node || typeof node !== 'object') return node;
  const schema = node as Json;
  for (const value of Object.values(schema)) closeObjects(value);
  if (schema.properties && typeof schema.properties === 'object' && !('additionalProperties' in schema) && !schema.allOf) {
    schema.additionalProperties = false;
  }
  if (schema.nullable === true && Array.isArray(schema.allOf)) {
    schema.anyOf = [{ allOf: schema.allOf }, { type: 'null' }];
    delete schema.allOf;
    delete schema.nullable;
    delete schema.type;
  }
  return schema;
}

interface AssertingTest {
  method: string;
  url: string;
  assert(error: unknown, res: Response | undefined, fn?: (error: unknown, res: Response | undefined) => void): void;
}

const VERBS = new Set(['get', 'post', 'put', 'patch', 'delete', 'del', 'head', 'options']);

/**
 * The supertest agent, with every answer checked against the document after the spec's own
 * expectations: a mismatch fails the request (and so the test that made it) with where it was made.
 */
export function checkedAgent(agent: TestAgent, checker: OpenApiResponseChecker): TestAgent {
  return new Proxy(agent, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof property !== 'string' || !VERBS.has(property) || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const origin = new Error('made here');
        const test = (value as (...a: unknown[]) => AssertingTest).apply(target, args);
        const assert = test.assert.bind(test);
        test.assert = (error, res, fn) =>
          assert(error, res, (assertError, response) => {
            const mismatch = !assertError && response ? checker.check(test.method, test.url, response) : undefined;
            let failure: Error | null = null;
            if (mismatch) {
              failure = new Error(`Not as the OpenAPI document says: ${mismatch}`);
              // Point at the spec line that made the request, not at supertest's internals.
              failure.stack = `${failure.message}\n${(origin.stack ?? '').split('\n').slice(2).join('\n')}`;
            }
            fn?.call(test, assertError ?? failure, response);
          });
        return test;
      };
    },
  });
}
