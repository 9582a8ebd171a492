import { DEFAULT_PACE, measuredPause, paceFor } from './delivery-pace';

const idle = { slice: DEFAULT_PACE.idleSlice, pauseMs: DEFAULT_PACE.idlePauseMs };
const busy = { slice: DEFAULT_PACE.busySlice, pauseMs: DEFAULT_PACE.busyPauseMs };

describe('paceFor', () => {
  it('sends all it can while the loop is idle', () => {
    expect(paceFor(0, 0)).toEqual(idle);
    expect(paceFor(DEFAULT_PACE.busyAbove, 0)).toEqual(idle);
  });

  it('gives way while the loop is busy: a small slice, then a long pause', () => {
    expect(paceFor(DEFAULT_PACE.busyAbove + 0.01, 0)).toEqual(busy);
    expect(paceFor(1, DEFAULT_PACE.maxDelayMs - 1)).toEqual(busy);
    expect(busy.slice).toBeLessThan(idle.slice);
    expect(busy.pauseMs).toBeGreaterThan(idle.pauseMs);
  });

  it('stops giving way once the oldest message has waited the longest delay', () => {
    expect(paceFor(1, DEFAULT_PACE.maxDelayMs)).toEqual(idle);
    expect(paceFor(1, 10 * DEFAULT_PACE.maxDelayMs)).toEqual(idle);
  });

  it('keeps a floor while busy: the busy pace still sends, for about 1 % of a core', () => {
    expect(busy.slice).toBeGreaterThan(0);
    // Measured at this pace: about 3.5 ms of CPU per message, claims and records included.
    expect((busy.slice * 3.5) / busy.pauseMs).toBeLessThan(0.01);
  });

  it('takes its settings', () => {
    const never = { ...DEFAULT_PACE, busyAbove: 1 };
    expect(paceFor(1, 0, never)).toEqual(idle);
  });
});

describe('measuredPause', () => {
  it('reports a loop kept busy meanwhile as busy, and a quiet one as quiet', async () => {
    const blocker = setInterval(() => {
      const until = Date.now() + 15;
      while (Date.now() < until);
    }, 20);
    let busyLoop: number;
    try {
      busyLoop = await measuredPause(200);
    } finally {
      clearInterval(blocker);
    }
    expect(busyLoop).toBeGreaterThan(0.5);
    expect(await measuredPause(100)).toBeLessThan(DEFAULT_PACE.busyAbove);
  });

  it('ends early when its signal aborts', async () => {
    const stop = new AbortController();
    const pause = measuredPause(60_000, stop.signal);
    stop.abort();
    await expect(pause).resolves.toBeGreaterThanOrEqual(0);
    await expect(measuredPause(60_000, stop.signal)).resolves.toBeGreaterThanOrEqual(0);
  });
});
