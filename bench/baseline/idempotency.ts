import { createCipheriv, createDecipheriv, createHash, createHmac } from 'node:crypto';
import { randomBytes } from 'node:crypto';

/**
 * Idempotency-Key material exactly as the service makes it (same hashes, same sealed format), so
 * both targets do the same work and either can replay the other's answers: only hashes of the key
 * and request are stored, and the answer is encrypted with a key derived from the client's key.
 */
export interface KeyMaterial {
  keyHash: Buffer;
  requestHash: Buffer;
  cipherKey: Buffer;
}

const SALT = Buffer.from('eventline/idempotency-keys/v1', 'utf8');
const INFO = Buffer.concat([Buffer.from('registration response encryption', 'utf8'), Buffer.from([1])]);
const VISIBLE_ASCII = /^[\x21-\x7e]{1,255}$/;

const sha256 = (data: string | Buffer): Buffer => createHash('sha256').update(data).digest();

export function isValidKey(key: string): boolean {
  return VISIBLE_ASCII.test(key);
}

/** The body's canonical JSON is its two fields in key order (the service sorts keys). */
export function keyMaterial(key: string, sessionId: string, name: string, email: string): KeyMaterial {
  const ikm = Buffer.from(key, 'utf8');
  // HKDF-SHA256 (RFC 5869) for one 32-byte block: extract, then expand with counter 1.
  const prk = createHmac('sha256', SALT).update(ikm).digest();
  return {
    keyHash: sha256(ikm),
    requestHash: sha256(`${sessionId}\n{"email":${JSON.stringify(email)},"name":${JSON.stringify(name)}}`),
    cipherKey: createHmac('sha256', prk).update(INFO).digest(),
  };
}

/** AES-256-GCM: version (1) ‖ iv (12) ‖ tag (16) ‖ ciphertext, bound to the request hash. */
export function seal(k: KeyMaterial, plaintext: string): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', k.cipherKey, iv).setAAD(k.requestHash);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from([1]), iv, cipher.getAuthTag(), body]);
}

export function open(k: KeyMaterial, sealed: Buffer): string {
  const decipher = createDecipheriv('aes-256-gcm', k.cipherKey, sealed.subarray(1, 13)).setAAD(k.requestHash);
  decipher.setAuthTag(sealed.subarray(13, 29));
  return Buffer.concat([decipher.update(sealed.subarray(29)), decipher.final()]).toString('utf8');
}
