import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ProblemSchema } from '../common/problem.schema';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { CreateStaffUserDto, StaffUserPage, StaffUserView } from './dto/login.dto';
import { UpdateStaffUserDto } from './dto/staff-user.dto';
import { Staff } from './staff.decorator';
import { StaffUsersService } from './staff-users.service';

@ApiTags('staff')
@Staff('admin')
@Controller('admin/users')
export class StaffUsersController {
  constructor(private readonly users: StaffUsersService) {}

  @Get()
  @ApiOperation({ operationId: 'listStaffUsers', summary: 'List staff users', description: 'Every staff user, on one page, oldest first.' })
  @ApiOkResponse({ type: StaffUserPage })
  async list(): Promise<StaffUserPage> {
    // Staff lists are short: one page, in the shape of every other list.
    return { data: await this.users.listUsers(), nextCursor: null };
  }

  @Post()
  @ApiOperation({
    operationId: 'createStaffUser',
    summary: 'Create a staff user',
    description: 'With a role and a password of at least 12 characters. The email is unique (any letter case).',
  })
  @ApiCreatedResponse({ type: StaffUserView })
  @ApiConflictResponse({ type: ProblemSchema, description: 'A staff user with this email exists' })
  create(@Body() dto: CreateStaffUserDto): Promise<StaffUserView> {
    return this.users.createUser(dto);
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getStaffUser', summary: 'Read a staff user', description: 'Views never carry the password hash.' })
  @ApiOkResponse({ type: StaffUserView })
  @ApiNotFoundResponse({ type: ProblemSchema })
  get(@Param('id', UuidParamPipe) id: string): Promise<StaffUserView> {
    return this.users.getUser(id);
  }

  @Patch(':id')
  @ApiOperation({
    operationId: 'updateStaffUser',
    summary: 'Change a staff user',
    description:
      'Change the role, disable or enable, or set a new password. Disabling or a new password revokes every token of the user ' +
      'at once. The last active admin can be neither disabled nor demoted (409).',
  })
  @ApiOkResponse({ type: StaffUserView, description: 'Disabling or a new password revokes every token of the user' })
  @ApiNotFoundResponse({ type: ProblemSchema })
  @ApiConflictResponse({ type: ProblemSchema, description: 'Would disable or demote the last active admin' })
  update(@Param('id', UuidParamPipe) id: string, @Body() dto: UpdateStaffUserDto): Promise<StaffUserView> {
    return this.users.updateUser(id, dto);
  }
}
