import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, Inject, Ip, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, NotFoundError, ValidationError } from '../common/errors';
import { toProblem } from '../common/problem';
import { RateLimiter } from '../rate-limits/rate-limiter';
import { createValidationPipe } from '../common/validation.pipe';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/env.schema';
import type { EventView, SessionView } from '../events/dto/views';
import { EventsService } from '../events/events.service';
import { venueLine, webcalOf } from '../events/links';
import { RegisterDto } from '../registrations/dto/register.dto';
import type { ManagedRegistrationView } from '../registrations/dto/views';
import { RegistrationsService } from '../registrations/registrations.service';
import { PageErrorFilter } from './page-error.filter';
import { isCrossSitePost, setPageHeaders } from './page-headers';
import { acceptsRegistrations, availabilityText, dateBlock, formatDate, formatTimeRange } from './page-format';

interface FormState {
  key: string;
  name: string;
  email: string;
  message?: string;
  errors: Partial<Record<'name' | 'email', string>>;
}

const STATUS_TEXT = {
  confirmed: "You're registered.",
  cancelled: 'This place is cancelled.',
} as const;

/** Server-rendered attendee pages: they work without JavaScript and post only to themselves. */
@ApiExcludeController()
@UseFilters(PageErrorFilter)
@Controller()
export class PagesController {
  private readonly validation = createValidationPipe();

  constructor(
    private readonly events: EventsService,
    private readonly registrations: RegistrationsService,
    private readonly limiter: RateLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('upcoming')
  async upcoming(@Query('cursor') cursor: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    const page = await this.events.listSessions({ limit: 20, cursor: typeof cursor === 'string' ? cursor : undefined });
    await setPageHeaders(reply).view('upcoming.eta', {
      title: 'Upcoming events',
      sessions: page.data.map((s) => sessionItem(s)),
      nextCursor: page.nextCursor,
    });
  }

  @Get('e/:eventSlug')
  async event(@Param('eventSlug') slug: string, @Res() reply: FastifyReply): Promise<void> {
    await this.renderEvent(reply, await this.events.getEvent(slug));
  }

  @Post('e/:eventSlug/register')
  async register(
    @Param('eventSlug') slug: string,
    @Body() form: Record<string, string> | undefined,
    @Ip() ip: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (isCrossSitePost(request, this.config.publicBaseUrl)) return this.refuseCrossSite(reply);
    const event = await this.events.getEvent(slug);
    const fields = form ?? {};
    const session = event.sessions.find((s) => s.id === fields.sessionId);
    if (!session) throw new NotFoundError('Session');
    const state: FormState = { key: fields.key || randomUUID(), name: fields.name ?? '', email: fields.email ?? '', errors: {} };
    try {
      await this.limiter.registration(ip);
      const input = (await this.validation.transform(
        { name: state.name, email: state.email },
        { type: 'body', metatype: RegisterDto },
      )) as RegisterDto;
      // The form's own key makes a double click (or a resent form) register once.
      const { body } = await this.registrations.register(session.id, input, state.key, request.id);
      await setPageHeaders(reply, { secret: true }).code(303).header('Location', `/m/${body.manageToken}`).send();
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      if (error instanceof ValidationError) {
        for (const { field, message } of error.errors) if (field === 'name' || field === 'email') state.errors[field] ??= message;
      }
      if (Object.keys(state.errors).length === 0) state.message = error.message;
      const { problem, headers } = toProblem(error, this.config.publicBaseUrl);
      await this.renderEvent(reply.code(problem.status).headers(headers), event, { sessionId: session.id, state });
    }
  }

  @Get('m/:token')
  async manage(@Param('token') token: string, @Res() reply: FastifyReply): Promise<void> {
    const registration = await this.registrations.getByToken(token);
    await setPageHeaders(reply, { secret: true }).view('manage.eta', {
      ...this.manageData(registration, token),
      title: 'Your place',
      statusText:
        registration.status === 'waitlisted'
          ? `You're on the waitlist, position ${registration.waitlistPosition ?? ''}.`
          : STATUS_TEXT[registration.status],
      webcal: webcalOf(registration.links.ics),
    });
  }

  @Get('m/:token/cancel')
  async confirmCancel(@Param('token') token: string, @Res() reply: FastifyReply): Promise<void> {
    const registration = await this.registrations.getByToken(token);
    await setPageHeaders(reply, { secret: true }).view('cancel.eta', {
      ...this.manageData(registration, token),
      title: 'Cancel your place',
    });
  }

  @Post('m/:token/cancel')
  async cancel(@Param('token') token: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    if (isCrossSitePost(request, this.config.publicBaseUrl)) return this.refuseCrossSite(reply);
    await this.registrations.cancelByToken(token, request.id);
    await setPageHeaders(reply, { secret: true }).code(303).header('Location', `/m/${token}`).send();
  }

  private manageData(registration: ManagedRegistrationView, token: string) {
    const s = registration.session;
    return {
      r: registration,
      token,
      date: formatDate(new Date(s.startsAt), s.timezone),
      time: formatTimeRange(new Date(s.startsAt), new Date(s.endsAt), s.timezone),
      where: venueLine(s.venue),
    };
  }

  private async renderEvent(reply: FastifyReply, event: EventView, failed?: { sessionId: string; state: FormState }): Promise<void> {
    const sessions = event.sessions.map((s) => {
      const item = sessionItem(s);
      const form = failed?.sessionId === s.id ? failed.state : { key: randomUUID(), name: '', email: '', errors: {} };
      return { ...item, where: venueLine(s.venue), form: acceptsRegistrations(s.availability.state) ? form : null };
    });
    await setPageHeaders(reply).view('event.eta', { title: event.title, event, sessions });
  }

  private async refuseCrossSite(reply: FastifyReply): Promise<void> {
    await setPageHeaders(reply).code(403).view('error.eta', {
      title: 'Not sent from this site',
      message: 'This form was sent from another site, so it was not accepted. Open the page here and send it again.',
    });
  }
}

function sessionItem(s: SessionView) {
  const start = new Date(s.startsAt);
  return {
    ...s,
    block: dateBlock(start, s.timezone),
    date: formatDate(start, s.timezone),
    time: formatTimeRange(start, new Date(s.endsAt), s.timezone),
    availabilityText: availabilityText(s.availability),
  };
}
