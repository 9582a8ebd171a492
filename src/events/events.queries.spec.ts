import { listSessionsSql } from './events.queries';

type Queries = typeof import('./events.queries');
const fresh = (): Queries => {
  let queries: Queries | undefined;
  jest.isolateModules(() => {
    queries = jest.requireActual<Queries>('./events.queries');
  });
  return queries!;
};

describe('listing statements', () => {
  it('one name per distinct text: the same filters share it, other filters or page sizes get another', () => {
    const { listSessionsSql: list } = fresh();
    const a = list({ statuses: ['published'], from: new Date(0), limit: 20 }).statement;
    const again = list({ statuses: ['draft'], from: new Date(1), limit: 20 }).statement;
    const withCategory = list({ statuses: ['published'], from: new Date(0), category: 'x', limit: 20 }).statement;
    const otherSize = list({ statuses: ['published'], from: new Date(0), limit: 3 }).statement;
    expect(typeof a).toBe('object');
    expect(again).toEqual(a);
    const names = [a, withCategory, otherSize].map((s) => (typeof s === 'string' ? s : s.name));
    expect(new Set(names).size).toBe(3);
  });

  it('writes the page size into the text (one row more), so PostgreSQL can keep a generic plan', () => {
    const { statement, params } = listSessionsSql({ statuses: ['published'], limit: 20 });
    expect(typeof statement === 'string' ? statement : statement.text).toMatch(/LIMIT 21$/);
    expect(params).not.toContain(21);
  });

  it('refuses a page size that is not a sane whole number rather than writing it into SQL', () => {
    for (const limit of [0, -1, 2.5, Number.NaN, 1e6]) {
      expect(() => listSessionsSql({ statuses: ['published'], limit })).toThrow(RangeError);
    }
  });

  it('names at most 64 texts; later ones run unnamed', () => {
    const { listSessionsSql: list } = fresh();
    const statements = Array.from({ length: 70 }, (_, i) => list({ statuses: ['published'], limit: i + 1 }).statement);
    expect(statements.filter((s) => typeof s === 'object')).toHaveLength(64);
    expect(statements.slice(64).every((s) => typeof s === 'string')).toBe(true);
  });
});
