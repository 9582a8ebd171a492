import { seatsToPromote } from './promote-waitlist';

describe('seatsToPromote', () => {
  it.each([
    // capacity, confirmed, waitlisted, promoted
    [null, 0, 0, 0],
    [null, 5, 7, 7],
    [10, 10, 5, 0],
    [10, 9, 5, 1],
    [10, 4, 5, 5],
    [10, 0, 50, 10],
    [12, 10, 0, 0],
    [0, 0, 3, 0],
    // Never negative, even if counts were ever above capacity.
    [5, 7, 3, 0],
  ] as const)('capacity %p with %p confirmed and %p waitlisted → %p', (capacity, confirmed, waitlisted, expected) => {
    expect(seatsToPromote(capacity, confirmed, waitlisted)).toBe(expected);
  });

  it('never promotes more than are waiting, nor more than fit', () => {
    for (let capacity = 0; capacity <= 6; capacity++) {
      for (let confirmed = 0; confirmed <= capacity; confirmed++) {
        for (let waitlisted = 0; waitlisted <= 6; waitlisted++) {
          const n = seatsToPromote(capacity, confirmed, waitlisted);
          expect(n).toBeLessThanOrEqual(waitlisted);
          expect(confirmed + n).toBeLessThanOrEqual(capacity);
          // And it stops only when nobody waits or no seat is left.
          expect(n === waitlisted || confirmed + n === capacity).toBe(true);
        }
      }
    }
  });
});
