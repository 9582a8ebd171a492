import { jsonDepth, MAX_JSON_DEPTH } from './json-body';

describe('jsonDepth', () => {
  it('counts nested objects and arrays', () => {
    expect(jsonDepth('1')).toBe(0);
    expect(jsonDepth('{}')).toBe(1);
    expect(jsonDepth('{"a":[1,{"b":[]}],"c":{}}')).toBe(4);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(jsonDepth('{"a":"[[[{{{"}')).toBe(1);
    expect(jsonDepth('{"a":"\\"[[[","b":"\\\\"}')).toBe(1);
  });

  it('measures unfinished text too, and a million levels without recursion', () => {
    expect(jsonDepth(`{"x":${'['.repeat(2000)}`)).toBe(2001);
    expect(jsonDepth('['.repeat(1_000_000))).toBe(1_000_000);
  });

  it('allows more than any body of this API needs', () => {
    expect(MAX_JSON_DEPTH).toBeGreaterThanOrEqual(8);
  });
});
