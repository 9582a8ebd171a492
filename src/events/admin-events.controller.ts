import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Staff } from '../auth/staff.decorator';
import { Page } from '../common/cursor';
import { ProblemSchema } from '../common/problem.schema';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { CreateEventDto, UpdateEventDto } from './dto/event.dto';
import { AdminEventListQueryDto, SessionListQueryDto } from './dto/list-query.dto';
import { CreateSessionDto, UpdateSessionDto } from './dto/session.dto';
import { EventPage, EventView, SessionPage, SessionView } from './dto/views';
import { EventsAdminService } from './events-admin.service';
import { EventsService } from './events.service';

const ALL_STATUSES = ['draft', 'published', 'cancelled'] as const;

@ApiTags('staff: events')
@Staff('editor')
@ApiBadRequestResponse({ type: ProblemSchema })
@ApiNotFoundResponse({ type: ProblemSchema })
@Controller('admin')
export class AdminEventsController {
  constructor(
    private readonly events: EventsService,
    private readonly admin: EventsAdminService,
  ) {}

  @Get('events')
  @ApiOkResponse({ type: EventPage, description: 'Every event, any status. Without from/to, events without sessions are listed last.' })
  list(@Query() query: AdminEventListQueryDto): Promise<Page<EventView>> {
    return this.events.listEvents(query, true);
  }

  @Post('events')
  @ApiCreatedResponse({ type: EventView })
  create(@Body() dto: CreateEventDto): Promise<EventView> {
    return this.admin.createEvent(dto);
  }

  @Get('events/:id')
  @ApiOkResponse({ type: EventView })
  get(@Param('id', UuidParamPipe) id: string): Promise<EventView> {
    return this.admin.getEvent(id);
  }

  @Patch('events/:id')
  @ApiOkResponse({ type: EventView })
  update(@Param('id', UuidParamPipe) id: string, @Body() dto: UpdateEventDto): Promise<EventView> {
    return this.admin.updateEvent(id, dto);
  }

  @Delete('events/:id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiConflictResponse({ type: ProblemSchema, description: 'Not a draft, or has registrations' })
  remove(@Param('id', UuidParamPipe) id: string): Promise<void> {
    return this.admin.deleteEvent(id);
  }

  @Post('events/:id/publish')
  @HttpCode(200)
  @ApiOkResponse({ type: EventView })
  @ApiConflictResponse({ type: ProblemSchema, description: 'The event is cancelled' })
  publish(@Param('id', UuidParamPipe) id: string): Promise<EventView> {
    return this.admin.publishEvent(id);
  }

  @Post('events/:id/cancel')
  @HttpCode(200)
  @ApiOkResponse({ type: EventView, description: 'The event and all its sessions are cancelled' })
  cancel(@Param('id', UuidParamPipe) id: string): Promise<EventView> {
    return this.admin.cancelEvent(id);
  }

  @Post('events/:id/sessions')
  @ApiCreatedResponse({ type: SessionView })
  @ApiConflictResponse({ type: ProblemSchema, description: 'The event is cancelled' })
  addSession(@Param('id', UuidParamPipe) id: string, @Body() dto: CreateSessionDto): Promise<SessionView> {
    return this.admin.addSession(id, dto);
  }

  @Get('sessions')
  @ApiOkResponse({
    type: SessionPage,
    description: 'Sessions of events of any status, by startsAt then id; with eventId, every session of one event page by page',
  })
  listSessions(@Query() query: SessionListQueryDto): Promise<Page<SessionView>> {
    return this.events.listSessions(query, [...ALL_STATUSES]);
  }

  @Get('sessions/:id')
  @ApiOkResponse({ type: SessionView })
  getSession(@Param('id', UuidParamPipe) id: string): Promise<SessionView> {
    return this.admin.getSession(id);
  }

  @Patch('sessions/:id')
  @ApiOkResponse({ type: SessionView })
  @ApiConflictResponse({
    type: ProblemSchema,
    description: 'Capacity below the confirmed count, or the session (or its event) is cancelled',
  })
  updateSession(@Param('id', UuidParamPipe) id: string, @Body() dto: UpdateSessionDto): Promise<SessionView> {
    return this.admin.updateSession(id, dto);
  }

  @Post('sessions/:id/cancel')
  @HttpCode(200)
  @ApiOkResponse({ type: SessionView })
  cancelSession(@Param('id', UuidParamPipe) id: string): Promise<SessionView> {
    return this.admin.cancelSession(id);
  }
}
