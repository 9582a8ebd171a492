import { HeldBodies } from './held-bodies';

describe('HeldBodies', () => {
  it('counts a body shared by many responses once, until the last of them is done', () => {
    const held = new HeldBodies(100);
    const body = Buffer.alloc(60);
    const releases = [held.hold(body), held.hold(body), held.hold(body)];
    expect(releases.every(Boolean)).toBe(true);
    expect(held.bytes).toBe(60);
    expect(held.responses).toBe(3);
    releases[0]?.();
    releases[0]?.(); // twice is once
    releases[1]?.();
    expect(held.bytes).toBe(60);
    releases[2]?.();
    expect(held.bytes).toBe(0);
    expect(held.responses).toBe(0);
  });

  it('turns away another body past the bound, and takes it again once bytes are released', () => {
    const held = new HeldBodies(100);
    const first = held.hold(Buffer.alloc(60));
    expect(held.hold(Buffer.alloc(50))).toBeUndefined();
    expect(held.hold(Buffer.alloc(40))).toBeDefined();
    first?.();
    expect(held.hold(Buffer.alloc(50))).toBeDefined();
  });

  it('always allows one body, even one larger than the bound', () => {
    const held = new HeldBodies(10);
    const big = Buffer.alloc(20);
    expect(held.hold(big)).toBeDefined();
    expect(held.hold(big)).toBeDefined();
    expect(held.hold(Buffer.alloc(1))).toBeUndefined();
  });
});
