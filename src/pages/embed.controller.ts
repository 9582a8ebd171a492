import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Header, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { CachePolicy } from '../common/conditional-get';
import { CachedAnswers } from '../events/cached-answers';
import { EventsService } from '../events/events.service';
import { firstAfter } from '../events/listing-freshness';
import { dateBlock } from './page-format';
import { PageErrorFilter } from './page-error.filter';

const ASSETS = join(__dirname, 'assets');
const read = (name: string): string => readFileSync(join(ASSETS, name), 'utf8');
const EMBED_CSS = read('embed.css');
// One stylesheet for both boxes: the script carries it as a string for its shadow root.
const UPCOMING_JS = read('upcoming.js').replace("/* EVENTLINE_CSS */ ''", JSON.stringify(EMBED_CSS));
const PAGES_CSS = read('pages.css');
const ASSET_CACHE = 'public, max-age=3600';
/** The box shows no seat counts: only a staff change, or a listed session starting, changes it. */
const BOX_CACHE: CachePolicy = { maxAgeS: 60, staleWhileRevalidateS: 30 };

/** The Upcoming Events box (a script for any page, or plain HTML for an iframe) and the pages' stylesheets. */
@ApiExcludeController()
@Controller()
export class EmbedController {
  constructor(
    private readonly events: EventsService,
    private readonly cached: CachedAnswers,
  ) {}

  @Get('embed/upcoming.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', ASSET_CACHE)
  script(): string {
    return UPCOMING_JS;
  }

  @Get('embed/upcoming')
  @UseFilters(PageErrorFilter)
  async box(@Res() reply: FastifyReply): Promise<void> {
    // Read off the request, not through parameter decorators: a 304 then runs no pipe.
    const { limit, category } = reply.request.query as Record<string, unknown>;
    await this.cached.send(reply, BOX_CACHE, async (now) => {
      const n = Math.min(Math.max(Number.parseInt(typeof limit === 'string' ? limit : '3', 10) || 3, 1), 20);
      const page = await this.events.listSessions({
        limit: n,
        ...(typeof category === 'string' && category.length > 0 && category.length <= 64 ? { category } : {}),
      });
      const sessions = page.data.map((s) => ({ ...s, block: dateBlock(new Date(s.startsAt), s.timezone) }));
      return {
        body: await reply.viewAsync('embed-upcoming.eta', { sessions }),
        contentType: 'text/html; charset=utf-8',
        // A listed session drops out of the box when it starts.
        staleAt: firstAfter(
          page.data.map((s) => s.startsAt),
          now,
        ),
      };
    });
  }

  @Get('assets/pages.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('Cache-Control', ASSET_CACHE)
  pagesCss(): string {
    return PAGES_CSS;
  }

  @Get('assets/embed.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('Cache-Control', ASSET_CACHE)
  embedCss(): string {
    return EMBED_CSS;
  }
}
