import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Page } from '../common/cursor';
import { ProblemSchema } from '../common/problem.schema';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { ListQueryDto, SessionListQueryDto } from './dto/list-query.dto';
import { EventPage, EventView, SessionPage, SessionView } from './dto/views';
import { EventsService } from './events.service';

@ApiTags('events')
@ApiBadRequestResponse({ type: ProblemSchema, description: 'Invalid filter or cursor' })
@Controller()
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Get('events')
  @ApiOkResponse({ type: EventPage, description: 'Published events with a session in range, by their next session' })
  listEvents(@Query() query: ListQueryDto): Promise<Page<EventView>> {
    return this.events.listEvents(query);
  }

  @Get('events/:idOrSlug')
  @ApiOkResponse({ type: EventView })
  @ApiNotFoundResponse({ type: ProblemSchema })
  getEvent(@Param('idOrSlug') idOrSlug: string): Promise<EventView> {
    return this.events.getEvent(idOrSlug);
  }

  @Get('sessions')
  @ApiOkResponse({ type: SessionPage, description: 'Sessions of published events, by startsAt then id' })
  listSessions(@Query() query: SessionListQueryDto): Promise<Page<SessionView>> {
    return this.events.listSessions(query);
  }

  @Get('sessions/:id')
  @ApiOkResponse({ type: SessionView })
  @ApiNotFoundResponse({ type: ProblemSchema })
  getSession(@Param('id', UuidParamPipe) id: string): Promise<SessionView> {
    return this.events.getSession(id);
  }
}
