import { applyDecorators, Controller, Get, Param, Res, Type } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ProblemSchema } from '../common/problem.schema';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { createValidationPipe } from '../common/validation.pipe';
import { CachedAnswers } from './cached-answers';
import { ListQueryDto, SessionListQueryDto } from './dto/list-query.dto';
import { EventPage, EventView, SessionPage, SessionView } from './dto/views';
import { EventsService } from './events.service';
import { LISTING_CACHE, listingAnswer } from './listing-freshness';

/** A public listing: its query, its answer with validators, the 304 and the 400. */
function ApiCachedListing(query: Type<unknown>, page: Type<unknown>, description: string): MethodDecorator {
  return applyDecorators(
    ApiQuery({ type: query }),
    ApiHeader({ name: 'If-None-Match', required: false, description: 'ETags from earlier answers (or `*`): 304 while one still matches' }),
    ApiOkResponse({
      type: page,
      description,
      headers: {
        ETag: { description: 'Strong validator of exactly these bytes', schema: { type: 'string' } },
        'Cache-Control': {
          description:
            '`public, max-age=N, stale-while-revalidate=30`, N at most 10 (how old seat counts may get) and never past the next ' +
            'instant time alone changes the answer (a listed session starting, a registration window opening or closing)',
          schema: { type: 'string' },
        },
      },
    }),
    ApiResponse({ status: 304, description: 'Not modified: an If-None-Match still matches; no body' }),
    ApiBadRequestResponse({ type: ProblemSchema, description: 'Invalid filter or cursor (never cached: `Cache-Control: no-store`)' }),
  );
}

@ApiTags('events')
@Controller()
export class EventsController {
  /**
   * The listings validate their query themselves, only when the answer is not known: a parameter
   * decorator would run the global pipe on every poll, 304s included.
   */
  private readonly validation = createValidationPipe();

  constructor(
    private readonly events: EventsService,
    private readonly cached: CachedAnswers,
  ) {}

  @Get('events')
  @ApiOperation({
    operationId: 'listEvents',
    summary: 'List published events',
    description:
      'Published events with a session in range, ordered by their next session in range; each carries at most its first 5 ' +
      'sessions in range and sessionCount.',
  })
  @ApiCachedListing(ListQueryDto, EventPage, 'Published events with a session in range, by their next session')
  async listEvents(@Res() reply: FastifyReply): Promise<void> {
    await this.cached.send(reply, LISTING_CACHE, async (now) => {
      const page = await this.events.listEvents(await this.query(ListQueryDto, reply));
      const shown = page.data.flatMap((event) => event.sessions);
      return listingAnswer(page, shown, now);
    });
  }

  @Get('events/:idOrSlug')
  @ApiOperation({
    operationId: 'getEvent',
    summary: 'Read an event',
    description:
      'By id or slug: a published or cancelled event with its next 100 sessions (sessionCount gives the total; the rest page ' +
      'through GET /sessions?eventId=).',
  })
  @ApiOkResponse({ type: EventView })
  @ApiNotFoundResponse({ type: ProblemSchema, description: 'Unknown event, or a draft' })
  getEvent(@Param('idOrSlug') idOrSlug: string): Promise<EventView> {
    return this.events.getEvent(idOrSlug);
  }

  @Get('sessions')
  @ApiOperation({
    operationId: 'listSessions',
    summary: 'List sessions',
    description: 'Sessions of published events in range (from defaults to now), ordered by startsAt then id.',
  })
  @ApiCachedListing(SessionListQueryDto, SessionPage, 'Sessions of published events, by startsAt then id')
  async listSessions(@Res() reply: FastifyReply): Promise<void> {
    await this.cached.send(reply, LISTING_CACHE, async (now) => {
      const page = await this.events.listSessions(await this.query(SessionListQueryDto, reply));
      return listingAnswer(page, page.data, now);
    });
  }

  @Get('sessions/:id')
  @ApiOperation({ operationId: 'getSession', summary: 'Read a session', description: 'One session with its availability and links.' })
  @ApiOkResponse({ type: SessionView })
  @ApiNotFoundResponse({ type: ProblemSchema, description: 'Unknown session, or one of a draft event' })
  getSession(@Param('id', UuidParamPipe) id: string): Promise<SessionView> {
    return this.events.getSession(id);
  }

  private async query<T>(dto: Type<T>, reply: FastifyReply): Promise<T> {
    return (await this.validation.transform(reply.request.query, { type: 'query', metatype: dto })) as T;
  }
}
