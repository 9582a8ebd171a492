import { InFlight } from './in-flight';

describe('InFlight', () => {
  it('shares the work under way for a key, and starts it again once it has settled', async () => {
    const flights = new InFlight<number>();
    let started = 0;
    const work = () => Promise.resolve(++started);
    const [a, b] = await Promise.all([flights.run('k', work), flights.run('k', work)]);
    expect([a, b, started]).toEqual([1, 1, 1]);
    expect(await flights.run('k', work)).toBe(2);
    expect(await flights.run('other', work)).toBe(3);
  });

  it('forgets a key whose work failed', async () => {
    const flights = new InFlight<string>();
    await expect(flights.run('k', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await flights.run('k', () => Promise.resolve('up'))).toBe('up');
  });
});
