/**
 * The feed bodies that responses still hold: sent, but not yet drained to a reader that reads
 * slowly (or not at all). Readers of one body share its one Buffer, so each body counts once
 * however many responses hold it; past `maxBytes` a response for another body is turned away, so
 * slow readers of many different feeds cannot make the process hold them all.
 */
export class HeldBodies {
  private readonly holders = new Map<Buffer, number>();
  private held = 0;

  constructor(readonly maxBytes = 64 * 1024 * 1024) {}

  /** Holds `body` for one response: the release to call once it is done, or undefined past the bound. */
  hold(body: Buffer): (() => void) | undefined {
    const holders = this.holders.get(body) ?? 0;
    if (holders === 0) {
      // One body alone is always allowed: a feed larger than the bound must still be servable.
      if (this.held > 0 && this.held + body.length > this.maxBytes) return undefined;
      this.held += body.length;
    }
    this.holders.set(body, holders + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.holders.get(body) ?? 1) - 1;
      if (left > 0) {
        this.holders.set(body, left);
        return;
      }
      this.holders.delete(body);
      this.held -= body.length;
    };
  }

  /** Bytes held, each body counted once. */
  get bytes(): number {
    return this.held;
  }

  /** Responses holding a body. */
  get responses(): number {
    let n = 0;
    for (const count of this.holders.values()) n += count;
    return n;
  }
}
