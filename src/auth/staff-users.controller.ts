import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { ProblemSchema } from '../common/problem.schema';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { CreateStaffUserDto, StaffUserView } from './dto/login.dto';
import { UpdateStaffUserDto } from './dto/staff-user.dto';
import { Staff } from './staff.decorator';
import { StaffUsersService } from './staff-users.service';

@ApiTags('staff')
@Staff('admin')
@ApiBadRequestResponse({ type: ProblemSchema })
@Controller('admin/users')
export class StaffUsersController {
  constructor(private readonly users: StaffUsersService) {}

  @Get()
  @ApiOkResponse({ type: [StaffUserView] })
  async list(): Promise<{ data: StaffUserView[]; nextCursor: null }> {
    // Staff lists are short: one page, in the shape of every other list.
    return { data: await this.users.listUsers(), nextCursor: null };
  }

  @Post()
  @ApiCreatedResponse({ type: StaffUserView })
  @ApiConflictResponse({ type: ProblemSchema, description: 'A staff user with this email exists' })
  create(@Body() dto: CreateStaffUserDto): Promise<StaffUserView> {
    return this.users.createUser(dto);
  }

  @Get(':id')
  @ApiOkResponse({ type: StaffUserView })
  @ApiNotFoundResponse({ type: ProblemSchema })
  get(@Param('id', UuidParamPipe) id: string): Promise<StaffUserView> {
    return this.users.getUser(id);
  }

  @Patch(':id')
  @ApiOkResponse({ type: StaffUserView, description: 'Disabling or a new password revokes every token of the user' })
  @ApiNotFoundResponse({ type: ProblemSchema })
  @ApiConflictResponse({ type: ProblemSchema, description: 'Would disable or demote the last active admin' })
  update(@Param('id', UuidParamPipe) id: string, @Body() dto: UpdateStaffUserDto): Promise<StaffUserView> {
    return this.users.updateUser(id, dto);
  }
}
