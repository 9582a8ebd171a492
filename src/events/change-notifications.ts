import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { Database } from '../database/database';

/** Raised by the triggers of migration CalendarChangeNotify on events and sessions. */
export const CHANGE_CHANNEL = 'calendar_change';
const RETRY_MS = [250, 1000, 2000, 5000];
const PING_MS = 15_000;
export const LISTENER_NAME = 'eventline change notifications';
/** What the feeds and the public listings are made of. */
const PUBLIC_TABLES = new Set(['events', 'sessions']);

/**
 * Whether what this process remembers of events and sessions (feed and listing validators) still
 * holds: `generation` moves on every change notification (one connection LISTENs), on losing
 * that connection, and on this process's own commits (Database.onCommit), which must show at
 * once, before their notification arrives. Seat counts are not notified (see the migration).
 */
@Injectable()
export class ChangeNotifications implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ChangeNotifications.name);
  private client: PoolClient | undefined;
  private attempt = 0;
  private retry: NodeJS.Timeout | undefined;
  private ping: NodeJS.Timeout | undefined;
  private stopped = false;
  generation = 0;
  listening = false;

  constructor(private readonly db: Database) {
    db.onCommit((tables) => {
      if ([...tables].some((t) => PUBLIC_TABLES.has(t))) this.generation++;
    });
  }

  onModuleInit(): void {
    void this.listen();
  }

  onModuleDestroy(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    clearInterval(this.ping);
    this.drop();
  }

  private async listen(): Promise<void> {
    if (this.stopped) return;
    let client: PoolClient;
    try {
      client = await this.db.connect();
    } catch {
      return this.retryLater();
    }
    client.on('notification', () => {
      if (client === this.client) this.generation++;
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      // Named, so operators (and the tests) can tell it apart in pg_stat_activity; it is never pooled again.
      await client.query(`SET application_name = '${LISTENER_NAME}'; LISTEN ${CHANGE_CHANNEL}`);
    } catch (error) {
      release(client, error);
      return this.retryLater();
    }
    if (this.stopped) return release(client);
    this.client = client;
    this.attempt = 0;
    // Anything learned before now may predate a notification this connection never saw.
    this.generation++;
    this.listening = true;
    // A connection can die without a word (a dropped network path); asking now and then finds out.
    clearInterval(this.ping);
    this.ping = setInterval(() => {
      if (this.client === client) client.query('SELECT 1').catch((error: unknown) => this.lost(client, error));
    }, PING_MS);
    this.ping.unref();
  }

  /** The listening connection failed or ended: stop trusting memory until listening again. */
  private lost(client: PoolClient, error?: unknown): void {
    if (client !== this.client) return; // not (or no longer) the listening one; listen() handles its own failures
    this.drop(error);
    if (this.stopped) return;
    this.logger.warn(
      `Change notifications lost; feed and listing validators are queried until they are back (${error instanceof Error ? error.message : 'ended'})`,
    );
    this.retryLater();
  }

  private retryLater(): void {
    if (this.stopped || this.retry) return;
    const delay = RETRY_MS[Math.min(this.attempt++, RETRY_MS.length - 1)];
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.listen();
    }, delay);
    this.retry.unref();
  }

  private drop(error?: unknown): void {
    const client = this.client;
    this.client = undefined;
    this.listening = false;
    this.generation++;
    if (client) release(client, error);
  }
}

/** Destroys rather than returns the connection: one that LISTENs must not serve other queries. */
function release(client: PoolClient, error?: unknown): void {
  try {
    client.release(error instanceof Error ? error : true);
  } catch {
    // already released (an error, then its end)
  }
}
