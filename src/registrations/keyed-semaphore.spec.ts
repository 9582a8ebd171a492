import { KeyedSemaphore } from './keyed-semaphore';

class Busy extends Error {}

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('KeyedSemaphore', () => {
  afterEach(() => jest.useRealTimers());

  it('runs at most `limit` per key, the rest in arrival order', async () => {
    const sem = new KeyedSemaphore({ limit: 2, maxWaitMs: 10_000, timeoutError: () => new Busy() });
    const started: number[] = [];
    const gates = Array.from({ length: 5 }, deferred);
    const runs = gates.map((g, i) =>
      sem.run('a', async () => {
        started.push(i);
        await g.promise;
        return i;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    expect(sem.state('a')).toEqual({ active: 2, waiting: 3 });
    gates[1].resolve();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    gates[0].resolve();
    gates[2].resolve();
    await tick();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    gates[3].resolve();
    gates[4].resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4]);
    expect(sem.state('a')).toEqual({ active: 0, waiting: 0 });
  });

  it('keeps keys independent', async () => {
    const sem = new KeyedSemaphore({ limit: 1, maxWaitMs: 10_000, timeoutError: () => new Busy() });
    const gate = deferred();
    const a = sem.run('a', () => gate.promise);
    let bRan = false;
    await sem.run('b', async () => {
      bRan = true;
    });
    expect(bRan).toBe(true);
    gate.resolve();
    await a;
  });

  it('frees the permit when the run fails', async () => {
    const sem = new KeyedSemaphore({ limit: 1, maxWaitMs: 10_000, timeoutError: () => new Busy() });
    await expect(sem.run('a', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(sem.state('a')).toEqual({ active: 0, waiting: 0 });
    await expect(sem.run('a', async () => 'ok')).resolves.toBe('ok');
  });

  it('gives up after maxWaitMs with the given error, without taking a permit', async () => {
    jest.useFakeTimers();
    const sem = new KeyedSemaphore({ limit: 1, maxWaitMs: 1000, timeoutError: () => new Busy() });
    const gate = deferred();
    const first = sem.run('a', () => gate.promise);
    const late = sem.run('a', async () => 'never');
    const lateResult = expect(late).rejects.toBeInstanceOf(Busy);
    jest.advanceTimersByTime(1000);
    await lateResult;
    expect(sem.state('a')).toEqual({ active: 1, waiting: 0 });
    gate.resolve();
    await first;
    expect(sem.state('a')).toEqual({ active: 0, waiting: 0 });
  });
});
