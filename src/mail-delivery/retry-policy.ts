/** How long a message keeps being retried while the mail server fails: past this it is marked failed. */
export const RETRY_FOR_MS = 48 * 60 * 60 * 1000;
/** No wait between attempts grows past this, so a server back after a day is used within the hour. */
export const MAX_BACKOFF_MS = 60 * 60 * 1000;
export const DEFAULT_BACKOFF_BASE_MS = 30_000;

/**
 * When to try again after `attempts` failed tries, or null to give up: exponential backoff with
 * jitter (half fixed, half random, so instances that failed together do not retry together).
 */
export function nextAttemptAt(
  attempts: number,
  createdAt: Date,
  now: Date,
  baseMs = DEFAULT_BACKOFF_BASE_MS,
  random = Math.random,
): Date | null {
  const ceiling = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** Math.min(Math.max(attempts - 1, 0), 30));
  const delay = ceiling / 2 + (ceiling / 2) * random();
  const at = new Date(now.getTime() + delay);
  return at.getTime() - createdAt.getTime() > RETRY_FOR_MS ? null : at;
}

/** What nodemailer reports of a failed send. */
export interface SendFailure {
  code?: string;
  responseCode?: number;
}

/**
 * A 5xx answer to this message's envelope or content (a recipient that does not exist, a message
 * refused) will not change: it fails at once. Everything else is retried: 4xx, network errors and
 * timeouts, and also 5xx to our login or TLS (a configuration to fix, not a bad message).
 */
export function isPermanent(failure: SendFailure): boolean {
  const { code, responseCode } = failure;
  return responseCode !== undefined && responseCode >= 500 && responseCode < 600 && (code === 'EENVELOPE' || code === 'EMESSAGE');
}
