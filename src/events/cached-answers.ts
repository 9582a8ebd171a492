import { Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { LRUCache } from 'lru-cache';
import {
  CachePolicy,
  conditionalHeaders,
  isNotModified,
  publicCacheControl,
  strongEtag,
  varyWithoutOrigin,
} from '../common/conditional-get';
import { InFlight } from '../common/in-flight';
import { ValidatorMemo } from '../common/validator-memo';
import { ChangeNotifications } from './change-notifications';
import type { FreshAnswer } from './listing-freshness';

/** An answer as sent: its bytes, shared by every request that gets it, and its validator. */
interface Answer {
  etag: string;
  body: Buffer;
  contentType: string;
  staleAt?: number;
}

/** Answers remembered per instance: a few hundred boxes and pages, however many URLs are asked for. */
const REMEMBERED_BYTES = 16 * 1024 * 1024;
/** The URLs asked for lately, by the characters of their keys (about 10,000 box and page URLs). */
const ASKED_KEY_CHARS = 1024 * 1024;

/**
 * Public answers made of events and sessions (the listings, the Upcoming Events box), cacheable
 * by any cache. Each URL's answer is remembered until a change notification, the next instant
 * time alone changes it (see listing-freshness.ts), or the memo's short TTL. Meanwhile a poll
 * with its ETag in If-None-Match gets a 304, and any other request the remembered bytes, from
 * memory: no query, no rendering. Otherwise the answer is made once for the requests for that
 * URL arriving meanwhile, and its ETag is that of its bytes.
 *
 * A URL's answer is remembered from the second time it is asked for: URLs asked once (a crawler or
 * a client walking `from` instants) would otherwise push the box's answers out of memory, and
 * every such answer kept costs the garbage collector for nothing.
 */
@Injectable()
export class CachedAnswers {
  private readonly memo = new ValidatorMemo<Answer>({ maxSize: { total: REMEMBERED_BYTES, sizeOf: (a) => a.body.length } });
  private readonly making = new InFlight<Answer>();
  private readonly asked = new LRUCache<string, true>({ maxSize: ASKED_KEY_CHARS, sizeCalculation: (_, url) => url.length });

  constructor(private readonly changes: ChangeNotifications) {}

  /**
   * Sends a GET's (or HEAD's) answer, or a 304. `make` is given the time it must take as now (no
   * later than the data it reads); whatever it throws goes out `no-store`, with no validator.
   */
  async send(reply: FastifyReply, policy: CachePolicy, make: (now: number) => Promise<FreshAnswer>): Promise<void> {
    const { url } = reply.request;
    let answer = this.changes.listening ? this.memo.get(url, this.changes.generation, Date.now()) : undefined;
    if (!answer) {
      try {
        answer = await this.makeOnce(url, make);
      } catch (error) {
        void reply.header('Cache-Control', 'no-store');
        throw error;
      }
    }
    const vary = varyWithoutOrigin(reply.getHeader('vary'));
    if (vary === undefined) void reply.removeHeader('vary');
    else void reply.header('vary', vary);
    void reply.header('ETag', answer.etag).header('Cache-Control', publicCacheControl(policy, Date.now(), answer.staleAt));
    if (isNotModified(conditionalHeaders(reply.request), answer.etag)) void reply.status(304).send();
    else void reply.status(200).type(answer.contentType).send(answer.body);
  }

  private makeOnce(url: string, make: (now: number) => Promise<FreshAnswer>): Promise<Answer> {
    return this.making.run(`${url}\u0000${this.changes.generation}`, async () => {
      // Read before asking: a notification arriving meanwhile makes the answer unsafe to remember.
      const { generation, listening } = this.changes;
      const now = Date.now();
      const made = await make(now);
      const body = Buffer.from(made.body, 'utf8');
      const answer: Answer = { etag: strongEtag(body), body, contentType: made.contentType, staleAt: made.staleAt };
      const askedBefore = this.asked.get(url) ?? false;
      if (!askedBefore) this.asked.set(url, true);
      if (askedBefore && listening && this.changes.listening && generation === this.changes.generation) {
        this.memo.set(url, answer, generation, Math.min(made.staleAt ?? Infinity, now + this.memo.ttlMs));
      }
      return answer;
    });
  }
}
