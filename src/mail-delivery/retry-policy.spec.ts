import { isPermanent, MAX_BACKOFF_MS, nextAttemptAt, RETRY_FOR_MS } from './retry-policy';

const created = new Date('2027-01-01T00:00:00Z');
const at = (ms: number) => new Date(created.getTime() + ms);

describe('nextAttemptAt', () => {
  it('doubles the wait after each failure, with jitter between half and all of it', () => {
    for (const [attempts, ceiling] of [
      [1, 1000],
      [2, 2000],
      [3, 4000],
      [6, 32000],
    ]) {
      expect(nextAttemptAt(attempts, created, created, 1000, () => 0)?.getTime()).toBe(created.getTime() + ceiling / 2);
      expect(nextAttemptAt(attempts, created, created, 1000, () => 0.999999)?.getTime()).toBeCloseTo(created.getTime() + ceiling, -1);
    }
  });

  it('never waits more than an hour', () => {
    expect(nextAttemptAt(40, created, created, 30_000, () => 1)?.getTime()).toBe(created.getTime() + MAX_BACKOFF_MS);
  });

  it('keeps retrying for at least 24 hours, and gives up after 48', () => {
    expect(nextAttemptAt(30, created, at(24 * 3600_000), 30_000, () => 1)).not.toBeNull();
    expect(nextAttemptAt(30, created, at(RETRY_FOR_MS - MAX_BACKOFF_MS), 30_000, () => 1)).not.toBeNull();
    expect(nextAttemptAt(30, created, at(RETRY_FOR_MS), 30_000, () => 0)).toBeNull();
  });

  it('retries about 50 times over the first day with the default base', () => {
    let now = created;
    let attempts = 0;
    while (now.getTime() - created.getTime() < 24 * 3600_000) {
      now = nextAttemptAt(++attempts, created, now, 30_000, () => 0.5) as Date;
    }
    expect(attempts).toBeGreaterThan(20);
    expect(attempts).toBeLessThan(40);
  });
});

describe('isPermanent', () => {
  it('fails at once on a 5xx to the envelope or the message', () => {
    expect(isPermanent({ code: 'EENVELOPE', responseCode: 550 })).toBe(true);
    expect(isPermanent({ code: 'EMESSAGE', responseCode: 554 })).toBe(true);
  });

  it('retries 4xx, network errors and timeouts', () => {
    expect(isPermanent({ code: 'EENVELOPE', responseCode: 451 })).toBe(false);
    expect(isPermanent({ code: 'ECONNECTION' })).toBe(false);
    expect(isPermanent({ code: 'ETIMEDOUT' })).toBe(false);
    expect(isPermanent({})).toBe(false);
  });

  it('retries a 5xx to the login: the configuration is wrong, not the message', () => {
    expect(isPermanent({ code: 'EAUTH', responseCode: 535 })).toBe(false);
  });
});
