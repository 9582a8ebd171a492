import { performance } from 'node:perf_hooks';

/** How delivery shares an instance's event loop with the requests it serves. */
export interface PaceSettings {
  /** Event-loop utilisation (0..1) by everything else above which the loop counts as busy. */
  busyAbove: number;
  /** Messages claimed and sent at once while the loop is idle, and while it is busy. */
  idleSlice: number;
  busySlice: number;
  /** The pause after each slice: short when idle (it lets requests in), long when busy. */
  idlePauseMs: number;
  busyPauseMs: number;
  /** Once the oldest message in hand has been due this long, delivery stops giving way. */
  maxDelayMs: number;
}

export const DEFAULT_PACE: PaceSettings = {
  busyAbove: 0.2,
  idleSlice: 20,
  busySlice: 4,
  idlePauseMs: 5,
  busyPauseMs: 1600,
  maxDelayMs: 60_000,
};

export interface Pace {
  slice: number;
  pauseMs: number;
}

/**
 * The next slice and pause: all it can while the loop is idle; while requests keep the loop
 * busy, `busySlice` per `busyPauseMs` (a floor, so the outbox always drains), until the oldest
 * message has waited `maxDelayMs`: then full pace again until the backlog is younger, so a long
 * rush delays mail by about that much, not without bound.
 */
export function paceFor(utilisation: number, oldestWaitMs: number, settings: PaceSettings = DEFAULT_PACE): Pace {
  const giveWay = utilisation > settings.busyAbove && oldestWaitMs < settings.maxDelayMs;
  return giveWay
    ? { slice: settings.busySlice, pauseMs: settings.busyPauseMs }
    : { slice: settings.idleSlice, pauseMs: settings.idlePauseMs };
}

/**
 * Waits `ms` (less if `signal` aborts) and answers how busy the event loop was meanwhile (0..1).
 * Delivery awaits all its own work before pausing, so what is measured is everything else:
 * requests, mostly.
 */
export function measuredPause(ms: number, signal?: AbortSignal): Promise<number> {
  const start = performance.eventLoopUtilization();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve(performance.eventLoopUtilization(start).utilization);
    };
    const timer = setTimeout(done, signal?.aborted ? 0 : ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
