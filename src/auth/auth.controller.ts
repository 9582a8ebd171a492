import { Body, Controller, Get, Header, HttpCode, Ip, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ProblemSchema } from '../common/problem.schema';
import { RateLimiter } from '../common/rate-limiter';
import { AuthService } from './auth.service';
import { CreateStaffUserDto, LoginDto, LoginResponse, StaffUserView } from './dto/login.dto';
import { UnauthorizedError } from '../common/errors';
import type { StaffPrincipal } from './roles';
import { CurrentStaff, Staff } from './staff.decorator';

@ApiTags('staff')
@Controller()
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly limiter: RateLimiter,
  ) {}

  @Post('auth/login')
  @HttpCode(200)
  // The answer carries a bearer token: no cache may keep it.
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: LoginResponse })
  @ApiUnauthorizedResponse({ type: ProblemSchema, description: 'Wrong email or password' })
  @ApiTooManyRequestsResponse({ type: ProblemSchema, description: 'Too many failed logins; see Retry-After' })
  async login(@Body() dto: LoginDto, @Ip() ip: string): Promise<LoginResponse> {
    await this.limiter.assertLoginAllowed(ip, dto.email);
    try {
      return await this.auth.login(dto.email, dto.password);
    } catch (error) {
      if (error instanceof UnauthorizedError) await this.limiter.loginFailed(ip, dto.email);
      throw error;
    }
  }

  @Post('auth/logout')
  @HttpCode(204)
  @Staff('checkin')
  async logout(@CurrentStaff() staff: StaffPrincipal): Promise<void> {
    await this.auth.logout(staff);
  }

  @Get('admin/users')
  @Staff('admin')
  @ApiOkResponse({ type: [StaffUserView] })
  async list(): Promise<{ data: StaffUserView[]; nextCursor: null }> {
    // Staff lists are short: one page, in the shape of every other list.
    return { data: await this.auth.listUsers(), nextCursor: null };
  }

  @Post('admin/users')
  @Staff('admin')
  @ApiCreatedResponse({ type: StaffUserView })
  create(@Body() dto: CreateStaffUserDto): Promise<StaffUserView> {
    return this.auth.createUser(dto);
  }
}
