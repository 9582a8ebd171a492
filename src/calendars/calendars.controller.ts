import { applyDecorators, Controller, Get, Header, Param, Res } from '@nestjs/common';
import { ApiHeader, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ServiceUnavailableError } from '../common/errors';
import { ProblemSchema } from '../common/problem.schema';
import { conditionalHeaders } from '../common/conditional-get';
import { CalendarsService, FeedResponse } from './calendars.service';
import { FeedIndexView } from './dto/feed-index.view';
import { HeldBodies } from './held-bodies';

/** Shared feeds: any cache may keep them a while; calendar programs poll far less often anyway. */
const PUBLIC_FEED = 'public, max-age=300';
/** A registration's feed is addressed by its secret token: no shared cache may keep it. */
const PRIVATE_FEED = 'private, max-age=300';

/** The request's validators, read off the reply (see conditionalHeaders). */
const conditional = (reply: FastifyReply) => conditionalHeaders(reply.request);

function ApiFeed(operationId: string, summary: string, description: string, notFound?: string): MethodDecorator {
  const text = { type: 'string', description: 'The feed, as unquoted text' };
  return applyDecorators(
    ApiOperation({ operationId, summary, description }),
    ApiProduces('text/calendar'),
    ApiHeader({ name: 'If-None-Match', required: false, description: 'An ETag from an earlier answer: 304 while it still matches' }),
    ApiHeader({ name: 'If-Modified-Since', required: false, description: 'An earlier Last-Modified: 304 if nothing changed since' }),
    ApiOkResponse({
      description: 'iCalendar (RFC 5545), `text/calendar; charset=utf-8`; the same data always gives the same bytes',
      content: { 'text/calendar': { schema: { ...text, example: 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\n...' } } },
      headers: {
        ETag: { description: 'Strong validator; changes with anything the feed shows', schema: { type: 'string' } },
        'Last-Modified': { description: 'When a session or event in the feed last changed', schema: { type: 'string' } },
        'Cache-Control': { schema: { type: 'string' } },
      },
    }),
    ApiResponse({ status: 304, description: 'Not modified: the If-None-Match or If-Modified-Since still holds; no body' }),
    ApiResponse({
      status: 503,
      type: ProblemSchema,
      description: 'The database is unreachable, or too many feeds are being rendered or sent at once; see Retry-After',
    }),
    ...(notFound ? [ApiNotFoundResponse({ type: ProblemSchema, description: notFound })] : []),
  );
}

@ApiTags('calendars')
@Controller()
export class CalendarsController {
  /** Bodies sent but not yet drained, bounded: a reader that never reads holds its feed's bytes. */
  readonly held = new HeldBodies();

  constructor(private readonly calendars: CalendarsService) {}

  @Get('calendars')
  @Header('Cache-Control', PUBLIC_FEED)
  @ApiOperation({
    operationId: 'listFeeds',
    summary: 'List the subscription feeds',
    description: 'The all-sessions feed and one feed per category of a published event, each with ics, webcal and Google links.',
  })
  @ApiOkResponse({ type: FeedIndexView })
  index(): Promise<FeedIndexView> {
    return this.calendars.feedIndex();
  }

  @Get('calendars/all.ics')
  @ApiFeed('allFeed', 'Feed of every session', 'Every session of every published (or cancelled) event, from 30 days ago on.')
  async all(@Res() reply: FastifyReply): Promise<void> {
    this.send(reply, await this.calendars.allFeed(conditional(reply)), PUBLIC_FEED);
  }

  @Get('calendars/categories/:category.ics')
  @ApiFeed(
    'categoryFeed',
    'Feed of one category',
    'Every session of the published events of one category (case-insensitive), from 30 days ago on; a name that no event ' +
      'carries is an empty calendar.',
  )
  async category(@Param('category') category: string, @Res() reply: FastifyReply): Promise<void> {
    this.send(reply, await this.calendars.categoryFeed(category, conditional(reply)), PUBLIC_FEED);
  }

  @Get('events/:idOrSlug/calendar.ics')
  @ApiFeed('eventFeed', 'Feed of one event', 'Every session of one event (by id or slug), past ones included.', 'Unknown event, or a draft')
  async event(@Param('idOrSlug') idOrSlug: string, @Res() reply: FastifyReply): Promise<void> {
    this.send(reply, await this.calendars.eventFeed(idOrSlug, conditional(reply)), PUBLIC_FEED);
  }

  @Get('sessions/:id/calendar.ics')
  @ApiFeed(
    'sessionFeed',
    'One session as a calendar file',
    'One session, as a download (Content-Disposition: attachment).',
    'Unknown session, or one of a draft event',
  )
  async session(@Param('id') id: string, @Res() reply: FastifyReply): Promise<void> {
    this.send(reply, await this.calendars.sessionFeed(id, conditional(reply)), PUBLIC_FEED);
  }

  @Get('registrations/:token/calendar.ics')
  @ApiFeed(
    'registrationFeed',
    "Feed of your registration's session",
    'The session of the registration that this manage token manages; shown as cancelled once the registration is.',
    'Unknown or malformed token (the two are not told apart)',
  )
  async registration(@Param('token') token: string, @Res() reply: FastifyReply): Promise<void> {
    this.send(reply, await this.calendars.registrationFeed(token, conditional(reply)), PRIVATE_FEED);
  }

  /** The cached Buffer itself goes out, never a copy: readers of one feed share its bytes. */
  private send(reply: FastifyReply, feed: FeedResponse, cacheControl: string): void {
    if (!feed.notModified) {
      const release = this.held.hold(feed.body);
      if (!release) throw new ServiceUnavailableError('Too many calendar feeds are being sent at once; try again shortly');
      // 'close' comes once the response is done, whether drained or cut off.
      reply.raw.once('close', release);
    }
    void reply.header('ETag', feed.etag).header('Last-Modified', feed.lastModified.toUTCString()).header('Cache-Control', cacheControl);
    if (feed.notModified) {
      void reply.status(304).send();
      return;
    }
    if (feed.filename) void reply.header('Content-Disposition', `attachment; filename="${feed.filename}"`);
    void reply.status(200).type('text/calendar; charset=utf-8').send(feed.body);
  }
}
