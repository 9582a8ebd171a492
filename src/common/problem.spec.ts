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
