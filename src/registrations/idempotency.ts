import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { ValidationError } from '../common/errors';

/**
 * Idempotency-Key material, as plain functions. The database keeps only hashes of the key and
 * of the request, and the first answer encrypted with a key derived from the Idempotency-Key:
 * whoever reads the table cannot recover a manageToken without the client's key.
 */
export interface IdempotencyMaterial {
  /** sha256 of the Idempotency-Key: the row's primary key. */
  keyHash: Buffer;
  /** sha256 of the session id and the canonical body: tells a replay from a reuse. */
  requestHash: Buffer;
  /** AES-256 key for the stored answer, derived from the Idempotency-Key itself. */
  cipherKey: Buffer;
}

export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

/** Visible ASCII only (no spaces): what the README promises and what survives every proxy unchanged. */
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;

/** `undefined` when the header is absent; a 400 when present but empty, too long, or not visible ASCII. */
export function parseIdempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const key = Array.isArray(header) ? header.join(', ') : header;
  if (key.length < 1 || key.length > IDEMPOTENCY_KEY_MAX_LENGTH || !VISIBLE_ASCII.test(key)) {
    throw new ValidationError('The Idempotency-Key header is not valid', [
      { field: 'Idempotency-Key', message: `must be 1 to ${IDEMPOTENCY_KEY_MAX_LENGTH} visible ASCII characters, without spaces` },
    ]);
  }
  return key;
}

/** JSON with object keys sorted at every level, so equal bodies hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const sha256 = (data: string | Buffer): Buffer => createHash('sha256').update(data).digest();

// Fixed and public: the secret is the Idempotency-Key; the salt only separates this use of it.
const HKDF_SALT = Buffer.from('eventline/idempotency-keys/v1', 'utf8');
const HKDF_INFO = Buffer.from('registration response encryption', 'utf8');

/** HKDF-SHA256 (RFC 5869): the AES-256 key for a stored answer, from the Idempotency-Key. */
export function deriveCipherKey(ikm: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, HKDF_SALT, HKDF_INFO, 32));
}

export function idempotencyMaterial(key: string, scope: string, body: unknown): IdempotencyMaterial {
  return {
    keyHash: sha256(key),
    requestHash: sha256(`${scope}\n${canonicalJson(body)}`),
    cipherKey: deriveCipherKey(Buffer.from(key, 'utf8')),
  };
}

const VERSION = 1;
const IV_LENGTH = 12;
const TAG_LENGTH = 16;

/** AES-256-GCM with a random IV: version (1) ‖ iv (12) ‖ tag (16) ‖ ciphertext. `aad` binds it to its request. */
export function sealResponse(cipherKey: Buffer, plaintext: string, aad: Buffer): Buffer {
  const iv = randomBytes(IV_LENGTH);
  const cipher = createCipheriv('aes-256-gcm', cipherKey, iv).setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
}

/** Throws when the data was altered, or sealed with another key or for another request. */
export function openResponse(cipherKey: Buffer, sealed: Buffer, aad: Buffer): string {
  if (sealed.length < 1 + IV_LENGTH + TAG_LENGTH || sealed[0] !== VERSION) throw new Error('Unknown stored response format');
  const iv = sealed.subarray(1, 1 + IV_LENGTH);
  const tag = sealed.subarray(1 + IV_LENGTH, 1 + IV_LENGTH + TAG_LENGTH);
  const decipher = createDecipheriv('aes-256-gcm', cipherKey, iv).setAAD(aad);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(sealed.subarray(1 + IV_LENGTH + TAG_LENGTH)), decipher.final()]).toString('utf8');
}
