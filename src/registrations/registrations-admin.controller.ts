import { Controller, Get, Headers, HttpCode, Param, Post, Query, Req, StreamableFile } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiExtraModels,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiBadRequestResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Staff } from '../auth/staff.decorator';
import type { Page } from '../common/cursor';
import { ProblemSchema } from '../common/problem.schema';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { RegistrationListQueryDto } from './dto/registration-list-query.dto';
import { RegistrationPage, RegistrationView } from './dto/views';
import { CSV_COLUMNS, prefersCsv } from './registrations-csv';
import { RegistrationsStaffService } from './registrations-staff.service';
import { RegistrationsService } from './registrations.service';

@ApiTags('staff: registrations')
@ApiNotFoundResponse({ type: ProblemSchema })
@Controller('admin')
export class RegistrationsAdminController {
  constructor(
    private readonly staff: RegistrationsStaffService,
    private readonly registrations: RegistrationsService,
  ) {}

  @Get('sessions/:id/registrations')
  @ApiOperation({
    operationId: 'listRegistrations',
    summary: "List a session's registrations",
    description: 'In queue order, filtered by status and q; with Accept: text/csv, every matching row as CSV.',
  })
  @Staff('checkin')
  @ApiExtraModels(RegistrationPage)
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({
    description:
      'In queue order. With `Accept: text/csv`: every matching row (limit and cursor ignored) as an attachment, ' +
      `columns ${CSV_COLUMNS.join(', ')}; cells a spreadsheet would run as formulas are prefixed with '.`,
    content: {
      'application/json': { schema: { $ref: getSchemaPath(RegistrationPage) } },
      'text/csv': { schema: { type: 'string' } },
    },
  })
  @ApiBadRequestResponse({ type: ProblemSchema, description: 'Invalid filter or cursor' })
  async list(
    @Param('id', UuidParamPipe) sessionId: string,
    @Query() query: RegistrationListQueryDto,
    @Headers('accept') accept: string | undefined,
  ): Promise<Page<RegistrationView> | StreamableFile> {
    if (!prefersCsv(accept)) return this.staff.list(sessionId, query);
    return new StreamableFile(await this.staff.csv(sessionId, query), {
      type: 'text/csv; charset=utf-8',
      disposition: `attachment; filename="registrations-${sessionId}.csv"`,
    });
  }

  @Post('registrations/:id/check-in')
  @ApiOperation({
    operationId: 'checkIn',
    summary: 'Check an attendee in',
    description: 'Marks a confirmed registration as attended (checkedInAt). A second check-in is 409.',
  })
  @HttpCode(200)
  @Staff('checkin')
  @ApiOkResponse({ type: RegistrationView, description: 'Checked in, with checkedInAt' })
  @ApiConflictResponse({ type: ProblemSchema, description: 'Already checked in, or not confirmed (waitlisted, cancelled)' })
  checkIn(@Param('id', UuidParamPipe) id: string): Promise<RegistrationView> {
    return this.staff.checkIn(id);
  }

  @Post('registrations/:id/cancel')
  @ApiOperation({
    operationId: 'staffCancelRegistration',
    summary: 'Cancel a registration for the attendee',
    description: "Cancels on the attendee's behalf (they are mailed) and promotes from the waitlist.",
  })
  @HttpCode(200)
  @Staff('editor')
  @ApiOkResponse({
    type: RegistrationView,
    description: 'Cancelled; a freed seat goes to the first waitlisted person. Repeating it answers the same.',
  })
  cancel(@Param('id', UuidParamPipe) id: string, @Req() request: FastifyRequest): Promise<RegistrationView> {
    return this.registrations.cancelById(id, request.id);
  }
}
