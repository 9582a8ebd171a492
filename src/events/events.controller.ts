import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Page } from '../common/cursor';
import { ProblemSchema } from '../common/problem.schema';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { ListQueryDto, SessionListQueryDto } from './dto/list-query.dto';
import { EventPage, EventView, SessionPage, SessionView } from './dto/views';
import { EventsService } from './events.service';

@ApiTags('events')
@Controller()
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Get('events')
  @ApiOperation({
    operationId: 'listEvents',
    summary: 'List published events',
    description:
      'Published events with a session in range, ordered by their next session in range; each carries at most its first 5 ' +
      'sessions in range and sessionCount.',
  })
  @ApiBadRequestResponse({ type: ProblemSchema, description: 'Invalid filter or cursor' })
  @ApiOkResponse({ type: EventPage, description: 'Published events with a session in range, by their next session' })
  listEvents(@Query() query: ListQueryDto): Promise<Page<EventView>> {
    return this.events.listEvents(query);
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
  @ApiBadRequestResponse({ type: ProblemSchema, description: 'Invalid filter or cursor' })
  @ApiOkResponse({ type: SessionPage, description: 'Sessions of published events, by startsAt then id' })
  listSessions(@Query() query: SessionListQueryDto): Promise<Page<SessionView>> {
    return this.events.listSessions(query);
  }

  @Get('sessions/:id')
  @ApiOperation({ operationId: 'getSession', summary: 'Read a session', description: 'One session with its availability and links.' })
  @ApiOkResponse({ type: SessionView })
  @ApiNotFoundResponse({ type: ProblemSchema, description: 'Unknown session, or one of a draft event' })
  getSession(@Param('id', UuidParamPipe) id: string): Promise<SessionView> {
    return this.events.getSession(id);
  }
}
