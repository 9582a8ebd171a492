import { UnauthorizedError } from './errors';
import { toProblem } from './problem';

const BASE = 'http://eventline.test';

function pgError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code, severity: 'ERROR' });
}

describe('toProblem for database errors', () => {
  it('answers a statement cut by statement_timeout (57014) with 503 and Retry-After', () => {
    const { problem, headers } = toProblem(pgError('57014', 'canceling statement due to statement timeout'), BASE);
    expect(problem.status).toBe(503);
    expect(problem.type).toBe(`${BASE}/problems/service-unavailable`);
    expect(headers['Retry-After']).toBe('2');
  });

  it('answers a refused or dropped connection with 503', () => {
    expect(toProblem(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), BASE).problem.status).toBe(503);
    expect(toProblem(pgError('57P01', 'terminating connection due to administrator command'), BASE).problem.status).toBe(503);
  });

  it('answers bad data (class 22) with 400 and anything unknown with 500', () => {
    expect(toProblem(pgError('22021', 'invalid byte sequence for encoding "UTF8": 0x00'), BASE).problem.status).toBe(400);
    expect(toProblem(pgError('42P01', 'relation "nope" does not exist'), BASE).problem.status).toBe(500);
  });
});

describe('toProblem for framework errors', () => {
  const fastifyError = (code: string, message: string, statusCode: number) => Object.assign(new Error(message), { code, statusCode });

  it('answers a path over the parameter length limit with its own type, without echoing the path', () => {
    const { problem } = toProblem(
      fastifyError('FST_ERR_MAX_PARAM_LENGTH', `'/sessions/${'a'.repeat(3000)}' is exceeding the max param length`, 414),
      BASE,
    );
    expect(problem).toEqual({
      type: `${BASE}/problems/uri-too-long`,
      title: 'URI too long',
      status: 414,
      detail: 'The request path is too long',
    });
  });

  it('does not echo a path that is not valid percent-encoding', () => {
    const { problem } = toProblem(fastifyError('FST_ERR_BAD_URL', "'/x/%E0%A4%A' is not a valid url component", 400), BASE);
    expect(problem.status).toBe(400);
    expect(problem.detail).not.toContain('%E0');
  });

  it('names application/json in a 415', () => {
    const { problem } = toProblem(fastifyError('FST_ERR_CTP_INVALID_MEDIA_TYPE', 'Unsupported Media Type', 415), BASE);
    expect(problem).toMatchObject({ type: `${BASE}/problems/unsupported-media-type`, status: 415 });
    expect(problem.detail).toContain('application/json');
  });

  it('answers 405 as method-not-allowed', () => {
    expect(toProblem(fastifyError('X', 'PUT is not allowed', 405), BASE).problem.type).toBe(`${BASE}/problems/method-not-allowed`);
  });

  it('sends WWW-Authenticate: Bearer with every 401', () => {
    expect(toProblem(new UnauthorizedError(), BASE).headers['WWW-Authenticate']).toBe('Bearer');
    expect(toProblem(new UnauthorizedError('The bearer token is invalid'), BASE).headers['WWW-Authenticate']).toBe('Bearer');
    const framework = toProblem(fastifyError('X', 'Unauthorized', 401), BASE);
    expect(framework).toMatchObject({ problem: { status: 401 }, headers: { 'WWW-Authenticate': 'Bearer' } });
  });
});
