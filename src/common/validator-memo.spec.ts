import { ValidatorMemo } from './validator-memo';

const v = (etag: string) => ({ etag, lastModified: new Date(0) });
type Validators = ReturnType<typeof v>;

describe('ValidatorMemo', () => {
  it('answers within the same generation until it expires', () => {
    const memo = new ValidatorMemo<Validators>();
    memo.set('all', v('"a"'), 3, 1000);
    expect(memo.get('all', 3, 999)?.etag).toBe('"a"');
    expect(memo.get('all', 3, 1000)).toBeUndefined();
  });

  it('forgets everything learned before a change notification', () => {
    const memo = new ValidatorMemo<Validators>();
    memo.set('all', v('"a"'), 3, 1000);
    expect(memo.get('all', 4, 0)).toBeUndefined();
    expect(memo.size).toBe(0);
  });

  it('stays bounded, dropping the oldest', () => {
    const memo = new ValidatorMemo<Validators>({ maxEntries: 2 });
    memo.set('a', v('"a"'), 1, 1000);
    memo.set('b', v('"b"'), 1, 1000);
    memo.set('c', v('"c"'), 1, 1000);
    expect(memo.size).toBe(2);
    expect(memo.get('a', 1, 0)).toBeUndefined();
    expect(memo.get('c', 1, 0)?.etag).toBe('"c"');
  });

  it('bounds the total size when asked to, and keeps nothing larger than it', () => {
    const memo = new ValidatorMemo<{ etag: string; body: string }>({ maxSize: { total: 10, sizeOf: (v) => v.body.length } });
    memo.set('a', { etag: '"a"', body: 'aaaa' }, 1, 1000);
    memo.set('b', { etag: '"b"', body: 'bbbb' }, 1, 1000);
    memo.set('c', { etag: '"c"', body: 'cccc' }, 1, 1000);
    expect(memo.get('a', 1, 0)).toBeUndefined();
    expect(memo.get('c', 1, 0)?.etag).toBe('"c"');
    memo.set('big', { etag: '"big"', body: 'x'.repeat(11) }, 1, 1000);
    expect(memo.get('big', 1, 0)).toBeUndefined();
    expect(memo.get('c', 1, 0)?.etag).toBe('"c"');
  });
});
