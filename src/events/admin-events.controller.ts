import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
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
@Controller('admin')
export class AdminEventsController {
  constructor(
    private readonly events: EventsService,
    private readonly admin: EventsAdminService,
  ) {}

  @Get('events')
  @ApiOperation({
    operationId: 'adminListEvents',
    summary: 'List all events',
    description:
      'Events of any status, with the same filters as GET /events plus status. Without from/to, events without ' +
      'sessions are listed last.',
  })
  @ApiBadRequestResponse({ type: ProblemSchema, description: 'Invalid filter or cursor' })
  @ApiOkResponse({ type: EventPage, description: 'Every event, any status. Without from/to, events without sessions are listed last.' })
  list(@Query() query: AdminEventListQueryDto): Promise<Page<EventView>> {
    return this.events.listEvents(query, true);
  }

  @Post('events')
  @ApiOperation({
    operationId: 'createEvent',
    summary: 'Create an event',
    description:
      'Only title and timezone are required. A draft unless status says published; the slug is made from the title ' + 'and kept unique.',
  })
  @ApiCreatedResponse({ type: EventView })
  create(@Body() dto: CreateEventDto): Promise<EventView> {
    return this.admin.createEvent(dto);
  }

  @Get('events/:id')
  @ApiOperation({
    operationId: 'adminGetEvent',
    summary: 'Read an event, any status',
    description: 'With its next 100 sessions, as GET /events/{idOrSlug}; drafts included.',
  })
  @ApiOkResponse({ type: EventView })
  get(@Param('id', UuidParamPipe) id: string): Promise<EventView> {
    return this.admin.getEvent(id);
  }

  @Patch('events/:id')
  @ApiOperation({
    operationId: 'updateEvent',
    summary: 'Change an event',
    description:
      'Fields left out stay as they are; null clears a nullable field. The status changes only through /publish and ' + '/cancel.',
  })
  @ApiOkResponse({ type: EventView })
  update(@Param('id', UuidParamPipe) id: string, @Body() dto: UpdateEventDto, @Req() request: FastifyRequest): Promise<EventView> {
    return this.admin.updateEvent(id, dto, request.id);
  }

  @Delete('events/:id')
  @ApiOperation({
    operationId: 'deleteEvent',
    summary: 'Delete a draft event',
    description: 'Only a draft without registrations can be deleted; anything else is 409.',
  })
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiConflictResponse({ type: ProblemSchema, description: 'Not a draft, or has registrations' })
  remove(@Param('id', UuidParamPipe) id: string): Promise<void> {
    return this.admin.deleteEvent(id);
  }

  @Post('events/:id/publish')
  @ApiOperation({
    operationId: 'publishEvent',
    summary: 'Publish an event',
    description: 'Makes a draft public; publishing a published event answers the same. A cancelled event cannot be published.',
  })
  @HttpCode(200)
  @ApiOkResponse({ type: EventView })
  @ApiConflictResponse({ type: ProblemSchema, description: 'The event is cancelled' })
  publish(@Param('id', UuidParamPipe) id: string): Promise<EventView> {
    return this.admin.publishEvent(id);
  }

  @Post('events/:id/cancel')
  @ApiOperation({
    operationId: 'cancelEvent',
    summary: 'Cancel an event',
    description:
      'Cancels the event and all its sessions; attendees are mailed and feeds show STATUS:CANCELLED. Repeating it answers the same.',
  })
  @HttpCode(200)
  @ApiOkResponse({ type: EventView, description: 'The event and all its sessions are cancelled' })
  cancel(@Param('id', UuidParamPipe) id: string, @Req() request: FastifyRequest): Promise<EventView> {
    return this.admin.cancelEvent(id, request.id);
  }

  @Post('events/:id/sessions')
  @ApiOperation({
    operationId: 'createSession',
    summary: 'Add a session to an event',
    description:
      'Only startsAt and endsAt are required; capacity null or omitted is unlimited, waitlistEnabled defaults to false, ' +
      "timezone and venue to the event's.",
  })
  @ApiCreatedResponse({ type: SessionView })
  @ApiConflictResponse({ type: ProblemSchema, description: 'The event is cancelled' })
  addSession(@Param('id', UuidParamPipe) id: string, @Body() dto: CreateSessionDto): Promise<SessionView> {
    return this.admin.addSession(id, dto);
  }

  @Get('sessions')
  @ApiOperation({
    operationId: 'adminListSessions',
    summary: 'List all sessions',
    description: 'Sessions of events of any status, by startsAt then id; with eventId, every session of one event page by page.',
  })
  @ApiBadRequestResponse({ type: ProblemSchema, description: 'Invalid filter or cursor' })
  @ApiOkResponse({
    type: SessionPage,
    description: 'Sessions of events of any status, by startsAt then id; with eventId, every session of one event page by page',
  })
  listSessions(@Query() query: SessionListQueryDto): Promise<Page<SessionView>> {
    return this.events.listSessions(query, [...ALL_STATUSES]);
  }

  @Get('sessions/:id')
  @ApiOperation({
    operationId: 'adminGetSession',
    summary: 'Read a session, any status',
    description: 'One session of an event of any status.',
  })
  @ApiOkResponse({ type: SessionView })
  getSession(@Param('id', UuidParamPipe) id: string): Promise<SessionView> {
    return this.admin.getSession(id);
  }

  @Patch('sessions/:id')
  @ApiOperation({
    operationId: 'updateSession',
    summary: 'Change a session',
    description:
      'Fields left out stay as they are. Raising capacity promotes waitlisted people; a change of time, place or ' +
      'status raises sequence and is mailed to attendees.',
  })
  @ApiOkResponse({ type: SessionView })
  @ApiConflictResponse({
    type: ProblemSchema,
    description: 'Capacity below the confirmed count, or the session (or its event) is cancelled',
  })
  updateSession(
    @Param('id', UuidParamPipe) id: string,
    @Body() dto: UpdateSessionDto,
    @Req() request: FastifyRequest,
  ): Promise<SessionView> {
    return this.admin.updateSession(id, dto, request.id);
  }

  @Post('sessions/:id/cancel')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'cancelSession',
    summary: 'Cancel a session',
    description: 'Its attendees are mailed; feeds keep it with STATUS:CANCELLED. Repeating it answers the same.',
  })
  @ApiOkResponse({ type: SessionView })
  cancelSession(@Param('id', UuidParamPipe) id: string, @Req() request: FastifyRequest): Promise<SessionView> {
    return this.admin.cancelSession(id, request.id);
  }
}
