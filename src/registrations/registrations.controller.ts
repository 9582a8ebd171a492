import { Body, Controller, Delete, Get, Header, Headers, HttpCode, Ip, Param, Post, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProblemSchema } from '../common/problem.schema';
import { RateLimiter } from '../rate-limits/rate-limiter';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { RegisterDto } from './dto/register.dto';
import { ManagedRegistrationView, RegistrationCreatedView } from './dto/views';
import { IDEMPOTENCY_KEY_MAX_LENGTH } from './idempotency';
import { IDEMPOTENCY_KEY_RETENTION_HOURS } from './idempotency-store';
import { RegistrationsService } from './registrations.service';

const TOKEN_NOT_FOUND = 'Unknown or malformed token (the two are not told apart)';

@ApiTags('registrations')
@Controller()
export class RegistrationsController {
  constructor(
    private readonly registrations: RegistrationsService,
    private readonly limiter: RateLimiter,
  ) {}

  @Post('sessions/:id/registrations')
  @ApiOperation({
    operationId: 'register',
    summary: 'Register for a session',
    description:
      'No account needed. Confirmed while seats remain, else waitlisted (when the waitlist is on) or 409 sold-out. ' +
      'The answer carries the manage token, shown only here. Send an Idempotency-Key to make retries safe.',
  })
  // The answer carries the secret manage token: no cache may keep it.
  @Header('Cache-Control', 'no-store')
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      `1..${IDEMPOTENCY_KEY_MAX_LENGTH} visible ASCII characters (no spaces), e.g. a UUID per registration attempt. Sent again with the same body, ` +
      `the first successful answer comes back (same status and body, header Idempotent-Replayed: true) and nothing ` +
      `is registered twice; with another body it is 422. Only successful answers are kept (an error leaves the key ` +
      `free), for at least 24 hours (deleted after ${IDEMPOTENCY_KEY_RETENTION_HOURS}).`,
    schema: { type: 'string', minLength: 1, maxLength: IDEMPOTENCY_KEY_MAX_LENGTH, pattern: '^[\\x21-\\x7e]+$' },
  })
  @ApiCreatedResponse({
    type: RegistrationCreatedView,
    description: 'Confirmed, or waitlisted with a position',
    headers: {
      'Idempotent-Replayed': {
        description: '`true` when this is the stored answer to an earlier request with the same key',
        schema: { type: 'string', enum: ['true'] },
      },
      'Cache-Control': { description: '`no-store`: the answer carries the manage token', schema: { type: 'string' } },
    },
  })
  @ApiBadRequestResponse({ type: ProblemSchema, description: 'Invalid body or Idempotency-Key' })
  @ApiNotFoundResponse({ type: ProblemSchema, description: 'Unknown session, or one of an unpublished event' })
  @ApiConflictResponse({
    type: ProblemSchema,
    description:
      'sold-out, already-registered or registration-closed; or conflict: the first request with this Idempotency-Key has not finished',
  })
  @ApiUnprocessableEntityResponse({ type: ProblemSchema, description: 'idempotency-conflict: this key was used with another request' })
  @ApiTooManyRequestsResponse({ type: ProblemSchema, description: 'Too many registrations from this client; see Retry-After' })
  async register(
    @Param('id', UuidParamPipe) sessionId: string,
    @Body() dto: RegisterDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Ip() ip: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RegistrationCreatedView> {
    await this.limiter.registration(ip);
    const { body, replayed } = await this.registrations.register(sessionId, dto, idempotencyKey, request.id);
    if (replayed) reply.header('Idempotent-Replayed', 'true');
    return body;
  }

  @Get('registrations/:token')
  @ApiOperation({
    operationId: 'getRegistration',
    summary: 'Read your registration',
    description: 'The registration that this secret manage token manages, with its waitlist position and session.',
  })
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: ManagedRegistrationView })
  @ApiNotFoundResponse({ type: ProblemSchema, description: TOKEN_NOT_FOUND })
  get(@Param('token') token: string): Promise<ManagedRegistrationView> {
    return this.registrations.getByToken(token);
  }

  @Delete('registrations/:token')
  @ApiOperation({
    operationId: 'cancelRegistration',
    summary: 'Cancel your registration',
    description:
      'Cancels the place; a freed seat goes to the first waitlisted person in the same transaction. Repeating it ' + 'answers the same.',
  })
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({
    type: ManagedRegistrationView,
    description: 'Cancelled (status "cancelled"); a freed seat goes to the first waitlisted person. Repeating it answers the same.',
  })
  @ApiNotFoundResponse({ type: ProblemSchema, description: TOKEN_NOT_FOUND })
  cancel(@Param('token') token: string, @Req() request: FastifyRequest): Promise<ManagedRegistrationView> {
    return this.registrations.cancelByToken(token, request.id);
  }
}
