import { KeyedBatcher } from './keyed-batcher';

class Busy extends Error {}

interface Run {
  key: string;
  items: number[];
  finish: (results?: string[]) => void;
  fail: (error: Error) => void;
}

/** A batcher whose batches finish when the test says, with every batch it was given. */
function batcher(options: { inFlight?: number; maxBatch?: number; maxWaitMs?: number } = {}) {
  const runs: Run[] = [];
  const b = new KeyedBatcher<number, string>({
    inFlight: options.inFlight ?? 1,
    maxBatch: options.maxBatch ?? 10,
    maxWaitMs: options.maxWaitMs ?? 10_000,
    timeoutError: () => new Busy(),
    run: (key, items) =>
      new Promise((resolve, reject) => {
        runs.push({ key, items, finish: (results) => resolve(results ?? items.map((i) => `${key}:${i}`)), fail: reject });
      }),
  });
  return { b, runs };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('KeyedBatcher', () => {
  afterEach(() => jest.useRealTimers());

  it('runs an item alone at once, and gathers those that arrive meanwhile into the next batch, in order', async () => {
    const { b, runs } = batcher();
    const first = b.submit('s', 1);
    const rest = [2, 3, 4].map((i) => b.submit('s', i));
    expect(runs.map((r) => r.items)).toEqual([[1]]);
    expect(b.state('s')).toEqual({ running: 1, waiting: 3 });
    runs[0].finish();
    expect(await first).toBe('s:1');
    await tick();
    expect(runs.map((r) => r.items)).toEqual([[1], [2, 3, 4]]);
    runs[1].finish();
    expect(await Promise.all(rest)).toEqual(['s:2', 's:3', 's:4']);
    expect(b.state('s')).toEqual({ running: 0, waiting: 0 });
  });

  it('runs up to `inFlight` batches per key and no batch over `maxBatch`', async () => {
    const { b, runs } = batcher({ inFlight: 2, maxBatch: 2 });
    const all = [1, 2, 3, 4, 5, 6].map((i) => b.submit('s', i));
    expect(runs.map((r) => r.items)).toEqual([[1], [2]]);
    runs[0].finish();
    await tick();
    expect(runs.map((r) => r.items)).toEqual([[1], [2], [3, 4]]);
    runs[1].finish();
    runs[2].finish();
    await tick();
    expect(runs.map((r) => r.items)).toEqual([[1], [2], [3, 4], [5, 6]]);
    runs[3].finish();
    expect(await Promise.all(all)).toEqual(['s:1', 's:2', 's:3', 's:4', 's:5', 's:6']);
  });

  it('keeps keys apart', async () => {
    const { b, runs } = batcher();
    const a = b.submit('a', 1);
    const c = b.submit('c', 1);
    expect(runs.map((r) => [r.key, r.items])).toEqual([
      ['a', [1]],
      ['c', [1]],
    ]);
    runs[1].finish();
    expect(await c).toBe('c:1');
    runs[0].finish();
    expect(await a).toBe('a:1');
  });

  it('fails every item of a batch that fails, and goes on with the next', async () => {
    const { b, runs } = batcher();
    const first = b.submit('s', 1);
    const batch = [2, 3].map((i) => b.submit('s', i));
    runs[0].finish();
    await first;
    await tick();
    const after = b.submit('s', 4);
    runs[1].fail(new Error('boom'));
    for (const item of batch) await expect(item).rejects.toThrow('boom');
    await tick();
    expect(runs[2].items).toEqual([4]);
    runs[2].finish();
    expect(await after).toBe('s:4');
  });

  it('fails a batch whose run gives the wrong number of results', async () => {
    const { b, runs } = batcher();
    const one = b.submit('s', 1);
    runs[0].finish([]);
    await expect(one).rejects.toThrow('A batch of 1 gave 0 results');
  });

  it('answers an item that waited too long with the timeout error, and leaves it out of later batches', async () => {
    jest.useFakeTimers();
    const { b, runs } = batcher({ maxWaitMs: 1000 });
    const first = b.submit('s', 1);
    const late = b.submit('s', 2);
    jest.advanceTimersByTime(1000);
    await expect(late).rejects.toBeInstanceOf(Busy);
    const next = b.submit('s', 3);
    runs[0].finish();
    await first;
    await Promise.resolve();
    await Promise.resolve();
    expect(runs.map((r) => r.items)).toEqual([[1], [3]]);
    runs[1].finish();
    expect(await next).toBe('s:3');
  });
});
