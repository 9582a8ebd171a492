import { Body, Controller, Get, HttpCode, Ip, Param, Post, Query, Req } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Staff } from '../auth/staff.decorator';
import type { Page } from '../common/cursor';
import { ProblemSchema } from '../common/problem.schema';
import { RateLimiter } from '../rate-limits/rate-limiter';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { PageQueryDto } from '../common/page-query.dto';
import { MessagePage, MessageView } from './dto/message.view';
import { ResendDto } from './dto/resend.dto';
import { MailService } from './mail.service';
import { OUTBOX_RETENTION_DAYS } from './outbox-retention';

@ApiTags('registrations')
@Controller('registrations')
export class ResendController {
  constructor(
    private readonly mail: MailService,
    private readonly limiter: RateLimiter,
  ) {}

  @Post('resend')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'resendManageLink',
    summary: 'Mail the manage link again',
    description:
      'For an attendee who lost the mail: always 202, revealing nothing. When that email holds a live place in the session, a ' +
      'message with a working manage link is sent (a new token; earlier ones and their calendar feeds keep working).',
  })
  @ApiAcceptedResponse({
    description:
      'Always, whether or not that email holds a place (nothing is revealed). When it holds a confirmed or waitlisted place in that ' +
      'session, a message with a working manage link is sent to it.',
  })
  @ApiBadRequestResponse({ type: ProblemSchema, description: 'Not a session id and an email address' })
  @ApiTooManyRequestsResponse({ type: ProblemSchema, description: 'Too many resends from this client or to this email; see Retry-After' })
  async resend(@Body() dto: ResendDto, @Ip() ip: string, @Req() request: FastifyRequest): Promise<void> {
    await this.limiter.resend(ip, dto.email);
    await this.mail.resend(dto.sessionId, dto.email, request.id);
  }
}

@ApiTags('staff: registrations')
@Controller('admin/registrations')
export class MessagesAdminController {
  constructor(private readonly mail: MailService) {}

  @Get(':id/messages')
  @Staff('editor')
  @ApiOperation({
    operationId: 'adminListRegistrationMessages',
    summary: "List a registration's messages",
    description:
      'Every message to this registration, oldest first, with its delivery state (pending, sent or failed), attempts and last ' +
      `error. Sent and failed messages are deleted ${OUTBOX_RETENTION_DAYS} days after they were written; pending ones stay until delivered.`,
  })
  @ApiOkResponse({ type: MessagePage, description: 'The messages to this registration, oldest first, each with its delivery state' })
  @ApiNotFoundResponse({ type: ProblemSchema })
  @ApiBadRequestResponse({ type: ProblemSchema, description: 'Invalid limit or cursor' })
  list(@Param('id', UuidParamPipe) id: string, @Query() query: PageQueryDto): Promise<Page<MessageView>> {
    return this.mail.messages(id, query.limit ?? 20, query.cursor);
  }
}
