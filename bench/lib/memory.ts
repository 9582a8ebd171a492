import { readFileSync, writeFileSync } from 'node:fs';

const SAMPLE_MS = 50;

/** VmHWM and VmRSS of a process, in MiB; null where /proc is unreadable. */
function readRss(pid: number): { peak: number; now: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) / 1024;
    const peak = kib('VmHWM');
    const now = kib('VmRSS');
    return Number.isNaN(peak) || Number.isNaN(now) ? null : { peak, now };
  } catch {
    return null;
  }
}

/**
 * A process's peak resident memory, over its whole life and over a window (one job). A window
 * starts by resetting VmHWM to the current RSS (`5` to /proc/<pid>/clear_refs, Linux 4.0+, our
 * own child); where that is refused, VmRSS is sampled every 50 ms instead, which can miss a
 * peak shorter than that.
 */
export class PeakRss {
  /** The highest VmHWM read before a reset. */
  private peakBeforeReset = 0;
  private sampler: NodeJS.Timeout | undefined;
  private sampledPeak = 0;
  private startedAt: number | null = null;

  constructor(private readonly pid: number) {}

  startWindow(): void {
    clearInterval(this.sampler);
    this.sampler = undefined;
    const rss = readRss(this.pid);
    this.startedAt = rss?.now ?? null;
    if (!rss) return;
    this.peakBeforeReset = Math.max(this.peakBeforeReset, rss.peak);
    try {
      writeFileSync(`/proc/${this.pid}/clear_refs`, '5');
    } catch {
      this.sampledPeak = rss.now;
      this.sampler = setInterval(() => {
        this.sampledPeak = Math.max(this.sampledPeak, readRss(this.pid)?.now ?? 0);
      }, SAMPLE_MS).unref();
    }
  }

  /** MiB resident when the window started, and at most since. */
  window(): { startMiB: number | null; peakMiB: number | null } {
    const rss = readRss(this.pid);
    if (!rss) return { startMiB: this.startedAt, peakMiB: null };
    return { startMiB: this.startedAt, peakMiB: this.sampler ? Math.max(this.sampledPeak, rss.now) : rss.peak };
  }

  /** MiB over the process's life. */
  peakMiB(): number | null {
    const rss = readRss(this.pid);
    return rss ? Math.max(this.peakBeforeReset, rss.peak) : null;
  }
}
