import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Header, Query, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { EventsService } from '../events/events.service';
import { dateBlock } from './page-format';
import { PageErrorFilter } from './page-error.filter';
import { setPageHeaders } from './page-headers';

const ASSETS = join(__dirname, 'assets');
const read = (name: string): string => readFileSync(join(ASSETS, name), 'utf8');
const EMBED_CSS = read('embed.css');
// One stylesheet for both boxes: the script carries it as a string for its shadow root.
const UPCOMING_JS = read('upcoming.js').replace("/* EVENTLINE_CSS */ ''", JSON.stringify(EMBED_CSS));
const PAGES_CSS = read('pages.css');
const ASSET_CACHE = 'public, max-age=3600';

/** The Upcoming Events box (a script for any page, or plain HTML for an iframe) and the pages' stylesheets. */
@ApiExcludeController()
@Controller()
export class EmbedController {
  constructor(private readonly events: EventsService) {}

  @Get('embed/upcoming.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', ASSET_CACHE)
  script(): string {
    return UPCOMING_JS;
  }

  @Get('embed/upcoming')
  @UseFilters(PageErrorFilter)
  async box(@Query('limit') limit: string | undefined, @Query('category') category: string | undefined, @Res() reply: FastifyReply) {
    const n = Math.min(Math.max(Number.parseInt(limit ?? '3', 10) || 3, 1), 20);
    const page = await this.events.listSessions({
      limit: n,
      ...(typeof category === 'string' && category.length > 0 && category.length <= 64 ? { category } : {}),
    });
    const sessions = page.data.map((s) => ({ ...s, block: dateBlock(new Date(s.startsAt), s.timezone) }));
    await setPageHeaders(reply).header('Cache-Control', 'public, max-age=60').view('embed-upcoming.eta', { sessions });
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
