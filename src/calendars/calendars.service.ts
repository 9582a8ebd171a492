import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import pLimit from 'p-limit';
import { hashToken, looksLikeToken } from '../auth/tokens';
import { isUuid } from '../common/cursor';
import { NotFoundError, ServiceUnavailableError } from '../common/errors';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/env.schema';
import { Database } from '../database/database';
import {
  categoryCalendarName,
  FEED_WINDOW_DAYS,
  FeedStampSum,
  FeedValidators,
  feedValidators,
  hasSession,
  isSlug,
  searchableCategory,
  toCalendarSession,
} from './calendar-feed';
import {
  CATEGORY_KEY_SQL,
  FEED_CATEGORIES_SQL,
  FeedRow,
  feedRowsSql,
  FeedScope,
  FeedStampRow,
  feedStampSql,
} from './calendar-feed.queries';
import { ConditionalHeaders, isNotModified } from '../common/conditional-get';
import { InFlight } from '../common/in-flight';
import { ValidatorMemo } from '../common/validator-memo';
import { ChangeNotifications } from '../events/change-notifications';
import { FeedIndexView } from './dto/feed-index.view';
import { CachedFeed, FeedCache } from './feed-cache';
import { allFeedUrl, categoryFeedUrl, eventFeedUrl, feedLinks, sessionFeedUrl } from './feed-links';
import { CalendarWriter } from './render-calendar';

export type FeedResponse = (FeedValidators & { notModified: true }) | (CachedFeed & { notModified: false });

/** One feed: which rows, what they are called, and what a missing one is. */
interface FeedSpec {
  /** Names the feed in the cache and in its ETag. */
  key: string;
  scope: FeedScope;
  /** Set when no row at all means 404 (one session, event or registration); unset: empty is valid. */
  notFound?: string;
  name(first: FeedRow | undefined): string;
  description?(first: FeedRow | undefined): string | undefined;
  url?: string;
  /** A download: Content-Disposition names the file after the event. */
  download?: boolean;
  /** Shows what no change notification covers (a registration's status): validators are always queried. */
  unnotified?: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/**
 * Feeds rendered at once. Rendering is CPU work on the one thread, so more at once only adds the
 * bytes each holds until it is done (up to ~10 MB for a 10,000-session feed); two lets one
 * feed's rows query overlap another's rendering.
 */
const RENDERS_AT_ONCE = 2;
/**
 * Renderings that may wait for a slot; past them a feed that needs rendering answers 503 with
 * Retry-After at once. Polls of a feed already being rendered join that rendering and are not
 * counted, so this only turns away many different feeds changed or asked for at once.
 */
export const RENDERS_WAITING = 8;
/** Spellings of categories whose key (CATEGORY_KEY_SQL) is remembered; least recently used out. */
const CATEGORY_KEYS_KEPT = 1000;
/** Rows fetched and written at a time while rendering. */
const RENDER_BATCH_ROWS = 500;

/**
 * iCalendar feeds. A feed's validators (ETag, Last-Modified) come from one aggregate query, kept
 * in memory until a change notification (or the 30-day window) says they may be stale: a poll of
 * an unchanged feed answers 304, or the cached bytes, without touching the database. A changed
 * feed costs one rows query and one rendering, shared by the requests that arrive meanwhile.
 */
@Injectable()
export class CalendarsService {
  private readonly cache = new FeedCache();
  private readonly memo = new ValidatorMemo<FeedValidators>();
  /** Renders under way, so a burst of polls after a change renders once. */
  private readonly rendering = new InFlight<CachedFeed>();
  /** Validators queries under way (see validatorsOnce). */
  private readonly validating = new InFlight<FeedValidators>();
  private readonly renderSlots = pLimit(RENDERS_AT_ONCE);
  /** Category as asked → its key (see CATEGORY_KEY_SQL). */
  private readonly categoryKeys = new LRUCache<string, string>({ max: CATEGORY_KEYS_KEPT });

  constructor(
    private readonly db: Database,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly changes: ChangeNotifications,
  ) {}

  sessionFeed(id: string, conditional: ConditionalHeaders): Promise<FeedResponse> {
    if (!isUuid(id)) throw new NotFoundError('Session');
    const sessionId = id.toLowerCase();
    return this.serve(
      {
        key: `session:${sessionId}`,
        scope: { kind: 'session', sessionId },
        notFound: 'Session',
        name: (first) => first?.event_title ?? 'Eventline',
        url: sessionFeedUrl(this.config.publicBaseUrl, sessionId),
        download: true,
      },
      conditional,
    );
  }

  eventFeed(idOrSlug: string, conditional: ConditionalHeaders): Promise<FeedResponse> {
    const by = isUuid(idOrSlug) ? 'id' : 'slug';
    if (by === 'slug' && !isSlug(idOrSlug)) throw new NotFoundError('Event');
    const value = by === 'id' ? idOrSlug.toLowerCase() : idOrSlug;
    return this.serve(
      {
        key: `event:${by}:${value}`,
        scope: { kind: 'event', by, value },
        notFound: 'Event',
        name: (first) => first?.event_title ?? 'Eventline',
        description: (first) => first?.event_summary ?? undefined,
      },
      conditional,
    );
  }

  allFeed(conditional: ConditionalHeaders): Promise<FeedResponse> {
    return this.serve(
      {
        key: 'all',
        scope: { kind: 'all', since: this.windowStart() },
        name: () => 'Eventline — all sessions',
        description: () => `Every session of every published event on Eventline, from ${FEED_WINDOW_DAYS} days ago on`,
        url: allFeedUrl(this.config.publicBaseUrl),
      },
      conditional,
    );
  }

  /**
   * Any spelling that selects the same sessions ("Music", "MUSIC") is one feed: one key, one
   * cached body, one rendering, named after the category as its events spell it. A name that
   * PostgreSQL cannot take (a NUL) matches no event: an empty calendar, like any unused name.
   */
  async categoryFeed(category: string, conditional: ConditionalHeaders): Promise<FeedResponse> {
    const searchable = searchableCategory(category);
    const key = searchable === null ? null : await this.categoryKey(searchable);
    return this.serve(
      {
        key: key === null ? 'category-unsearchable' : `category:${key}`,
        scope: { kind: 'category', category: key, since: this.windowStart() },
        name: (first) => categoryCalendarName(first?.event_category ?? key ?? category),
        url: categoryFeedUrl(this.config.publicBaseUrl, key ?? category),
      },
      conditional,
    );
  }

  registrationFeed(token: string, conditional: ConditionalHeaders): Promise<FeedResponse> {
    if (!looksLikeToken(token)) throw new NotFoundError('Registration');
    const tokenHash = hashToken(token);
    return this.serve(
      {
        // The hash, not the token: the secret stays out of memory that outlives the request.
        key: `registration:${tokenHash.toString('base64url')}`,
        scope: { kind: 'registration', tokenHash },
        notFound: 'Registration',
        name: (first) => first?.event_title ?? 'Eventline',
        unnotified: true,
      },
      conditional,
    );
  }

  async feedIndex(): Promise<FeedIndexView> {
    const base = this.config.publicBaseUrl;
    const rows = await this.db.query<{ category: string }>(FEED_CATEGORIES_SQL);
    return {
      all: feedLinks(allFeedUrl(base)),
      categories: rows.map(({ category }) => ({ category, links: feedLinks(categoryFeedUrl(base, category)) })),
    };
  }

  private async categoryKey(category: string): Promise<string> {
    const known = this.categoryKeys.get(category);
    if (known !== undefined) return known;
    const [{ key }] = await this.db.query<{ key: string }>(CATEGORY_KEY_SQL, [category]);
    this.categoryKeys.set(category, key);
    return key;
  }

  private async serve(feed: FeedSpec, conditional: ConditionalHeaders): Promise<FeedResponse> {
    const validators = this.remembered(feed) ?? (await this.validatorsOnce(feed));
    if (isNotModified(conditional, validators.etag, validators.lastModified)) return { notModified: true, ...validators };
    const cached = this.cache.get(feed.key, validators.etag) ?? (await this.renderOnce(feed, validators.etag));
    return { notModified: false, ...cached };
  }

  private remembered(feed: FeedSpec): FeedValidators | undefined {
    if (feed.unnotified || !this.changes.listening) return undefined;
    return this.memo.get(feed.key, this.changes.generation, Date.now());
  }

  /**
   * One validators query per feed at a time, shared by the polls that arrive meanwhile under the
   * same change generation: when a feed's memo lapses, its pollers do not each query at once.
   */
  private validatorsOnce(feed: FeedSpec): Promise<FeedValidators> {
    if (feed.unnotified) return this.queryValidators(feed);
    return this.validating.run(`${feed.key}\u0000${this.changes.generation}`, () => this.queryValidators(feed));
  }

  private async queryValidators(feed: FeedSpec): Promise<FeedValidators> {
    // Read before asking: a notification arriving while the query runs makes its answer unsafe to keep.
    const { generation, listening } = this.changes;
    const { text, params } = feedStampSql(feed.scope);
    const [stamp] = await this.db.query<FeedStampRow>(text, params);
    if (feed.notFound && stamp.row_count === 0) throw new NotFoundError(feed.notFound);
    const validators = this.validators(feed, stamp);
    if (!feed.unnotified && listening && this.changes.listening && generation === this.changes.generation) {
      let expiresAt = Date.now() + this.memo.ttlMs;
      if ('since' in feed.scope && stamp.first_starts_at) {
        expiresAt = Math.min(expiresAt, stamp.first_starts_at.getTime() + FEED_WINDOW_DAYS * DAY_MS);
      }
      this.memo.set(feed.key, validators, generation, expiresAt);
    }
    return validators;
  }

  private renderOnce(feed: FeedSpec, etag: string): Promise<CachedFeed> {
    return this.rendering.run(`${feed.key}\u0000${etag}`, () => {
      if (this.renderSlots.activeCount + this.renderSlots.pendingCount >= RENDERS_AT_ONCE + RENDERS_WAITING) {
        return Promise.reject(new ServiceUnavailableError('Too many calendar feeds are being rendered; try again shortly'));
      }
      return this.renderSlots(() => this.render(feed));
    });
  }

  /**
   * Rows and validators from one snapshot (the validators summed from the rows), so a cached
   * body is always the one its ETag names.
   * The rows are read and written a batch at a time: a feed of thousands of sessions never holds
   * them all as objects.
   */
  private async render(feed: FeedSpec): Promise<CachedFeed> {
    // Whatever body is cached is for an older ETag (the current one would have been served):
    // it goes now rather than after the new one is made, so the two never take memory together.
    this.cache.forget(feed.key);
    const { text, params } = feedRowsSql(feed.scope);
    const base = this.config.publicBaseUrl;
    const writer = new CalendarWriter();
    const stamp = new FeedStampSum();
    let first: FeedRow | undefined;
    await this.db.inBatches<FeedRow>(text, params, RENDER_BATCH_ROWS, (rows) => {
      first ??= rows[0];
      for (const row of rows) stamp.add(row);
      writer.add(rows.filter(hasSession).map((row) => toCalendarSession(row, base)));
    });
    if (feed.notFound && !first) throw new NotFoundError(feed.notFound);
    const body = writer.finish({
      name: feed.name(first),
      description: feed.description?.(first),
      url: feed.url ?? (first && feed.scope.kind === 'event' ? eventFeedUrl(base, first.event_slug) : undefined),
    });
    const entry: CachedFeed = {
      ...this.validators(feed, stamp.result()),
      body,
      ...(feed.download && first ? { filename: `${first.event_slug}.ics` } : {}),
    };
    this.cache.set(feed.key, entry);
    return entry;
  }

  private validators(feed: FeedSpec, stamp: FeedStampRow): FeedValidators {
    return feedValidators(feed.scope.kind, `${feed.key}\u0000${this.config.publicBaseUrl}`, stamp);
  }

  private windowStart(): Date {
    return new Date(Date.now() - FEED_WINDOW_DAYS * DAY_MS);
  }
}
