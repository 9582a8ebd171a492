import { createHmac } from 'node:crypto';
import * as fc from 'fast-check';
import { ValidationError } from '../common/errors';
import { canonicalJson, deriveCipherKey, idempotencyMaterial, openResponse, parseIdempotencyKey, sealResponse } from './idempotency';

describe('parseIdempotencyKey', () => {
  it('is undefined when the header is absent', () => {
    expect(parseIdempotencyKey(undefined)).toBeUndefined();
  });

  it('accepts 1 to 255 visible ASCII characters as they are', () => {
    expect(parseIdempotencyKey('k')).toBe('k');
    expect(parseIdempotencyKey('x'.repeat(255))).toHaveLength(255);
    expect(parseIdempotencyKey('!~{}"\\Az09')).toBe('!~{}"\\Az09');
  });

  it('rejects an empty, over-long or not visible ASCII key as a validation problem naming the header', () => {
    for (const bad of ['', 'x'.repeat(256), 'a b', ' spaced ', 'tab\there', 'é', '\u007f', 'line\nbreak']) {
      expect(() => parseIdempotencyKey(bad)).toThrow(ValidationError);
      try {
        parseIdempotencyKey(bad);
      } catch (error) {
        expect((error as ValidationError).errors[0].field).toBe('Idempotency-Key');
      }
    }
  });

  it('refuses a repeated header (Node joins the copies with ", ")', () => {
    expect(() => parseIdempotencyKey(['a', 'b'])).toThrow(ValidationError);
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1], c: null } })).toBe('{"a":{"c":null,"d":[3,1]},"b":1}');
    expect(canonicalJson({ a: { c: null, d: [3, 1] }, b: 1 })).toBe(canonicalJson({ b: 1, a: { d: [3, 1], c: null } }));
  });

  it('drops undefined properties and turns undefined array items into null, like JSON', () => {
    expect(canonicalJson({ a: undefined, b: [undefined] })).toBe('{"b":[null]}');
  });

  it('escapes strings and keys exactly like JSON.stringify', () => {
    const tricky = { 'k"\n': 'Zoë "quoted"\u2028\\' };
    expect(JSON.parse(canonicalJson(tricky))).toEqual(tricky);
  });

  it('distinguishes values that differ only in type', () => {
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: '1' }));
    expect(canonicalJson([])).not.toBe(canonicalJson({}));
  });
});

describe('idempotencyMaterial', () => {
  const body = { name: 'Ada', email: 'ada@example.com' };

  it('is deterministic for the same key, scope and body, whatever the key order of the body', () => {
    const a = idempotencyMaterial('key-1', 'session-1', body);
    const b = idempotencyMaterial('key-1', 'session-1', { email: 'ada@example.com', name: 'Ada' });
    expect(a.keyHash.equals(b.keyHash)).toBe(true);
    expect(a.requestHash.equals(b.requestHash)).toBe(true);
    expect(a.cipherKey.equals(b.cipherKey)).toBe(true);
  });

  it('gives a different request hash for another body or another session, the same key hash', () => {
    const a = idempotencyMaterial('key-1', 'session-1', body);
    const otherBody = idempotencyMaterial('key-1', 'session-1', { ...body, email: 'ADA@example.com' });
    const otherSession = idempotencyMaterial('key-1', 'session-2', body);
    expect(otherBody.requestHash.equals(a.requestHash)).toBe(false);
    expect(otherSession.requestHash.equals(a.requestHash)).toBe(false);
    expect(otherBody.keyHash.equals(a.keyHash)).toBe(true);
  });

  it('derives a 256-bit cipher key that is neither the key hash nor shared between keys', () => {
    const a = idempotencyMaterial('key-1', 's', body);
    const b = idempotencyMaterial('key-2', 's', body);
    expect(a.cipherKey).toHaveLength(32);
    expect(a.cipherKey.equals(a.keyHash)).toBe(false);
    expect(a.cipherKey.equals(b.cipherKey)).toBe(false);
  });
});

describe('deriveCipherKey', () => {
  it("is RFC 5869 HKDF-SHA256 with the stored answers' salt and info (answers sealed before still open)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), (bytes) => {
        const ikm = Buffer.from(bytes);
        // RFC 5869 written out for one 32-byte block: PRK = HMAC(salt, IKM), T(1) = HMAC(PRK, info ‖ 0x01).
        const prk = createHmac('sha256', 'eventline/idempotency-keys/v1').update(ikm).digest();
        const expected = createHmac('sha256', prk)
          .update('registration response encryption')
          .update(Buffer.from([1]))
          .digest();
        expect(deriveCipherKey(ikm).equals(expected)).toBe(true);
      }),
    );
  });

  it('gives the bytes that sealed the answers already stored', () => {
    expect(deriveCipherKey(Buffer.from('order-2027-0001')).toString('hex')).toBe(
      '67259ef63e1513f3db1f378bfecec5be7b6c0b902ddbeb5932dc8b0483b46ed4',
    );
    expect(deriveCipherKey(Buffer.from('k')).toString('hex')).toBe('58713487716ecc14afe28b4f44523cf4ea14ac5ac476c1eb7c31fbab9c901e56');
  });
});

describe('sealResponse / openResponse', () => {
  const { cipherKey, requestHash } = idempotencyMaterial('key-1', 'session-1', { name: 'Ada' });
  const plaintext = JSON.stringify({ manageToken: 'secret-token-value', name: 'Zoë' });

  it('round-trips', () => {
    expect(openResponse(cipherKey, sealResponse(cipherKey, plaintext, requestHash), requestHash)).toBe(plaintext);
  });

  it('never contains the plaintext, and uses a fresh IV each time', () => {
    const a = sealResponse(cipherKey, plaintext, requestHash);
    const b = sealResponse(cipherKey, plaintext, requestHash);
    expect(a.includes(Buffer.from('secret-token-value'))).toBe(false);
    expect(a.equals(b)).toBe(false);
  });

  it('refuses another key, another request, or altered bytes', () => {
    const sealed = sealResponse(cipherKey, plaintext, requestHash);
    const other = idempotencyMaterial('key-2', 'session-1', { name: 'Ada' });
    expect(() => openResponse(other.cipherKey, sealed, requestHash)).toThrow();
    const otherRequest = idempotencyMaterial('key-1', 'session-1', { name: 'Bob' });
    expect(() => openResponse(cipherKey, sealed, otherRequest.requestHash)).toThrow();
    const altered = Buffer.from(sealed);
    altered[altered.length - 1] ^= 1;
    expect(() => openResponse(cipherKey, altered, requestHash)).toThrow();
    expect(() => openResponse(cipherKey, sealed.subarray(0, 10), requestHash)).toThrow();
  });
});
