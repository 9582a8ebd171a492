import { Body, Controller, Header, HttpCode, Ip, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ProblemSchema } from '../common/problem.schema';
import { RateLimiter } from '../rate-limits/rate-limiter';
import { AuthService } from './auth.service';
import { LoginDto, LoginResponse } from './dto/login.dto';
import { ChangePasswordDto } from './dto/staff-user.dto';
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
  @ApiOperation({
    operationId: 'login',
    summary: 'Sign in',
    description:
      'Trades a staff email and password for an opaque bearer token, valid 12 hours. A wrong password, an unknown email and ' +
      'a disabled user all answer the same 401. Failed logins are limited per address and per account-and-address (429).',
  })
  @ApiOkResponse({ type: LoginResponse })
  @ApiUnauthorizedResponse({ type: ProblemSchema, description: 'Wrong email or password' })
  @ApiTooManyRequestsResponse({ type: ProblemSchema, description: 'Too many failed logins; see Retry-After' })
  async login(@Body() dto: LoginDto, @Ip() ip: string): Promise<LoginResponse> {
    const attempt = await this.limiter.loginAttempt(ip, dto.email);
    return attempt.check(() => this.auth.login(dto.email, dto.password));
  }

  @Post('auth/logout')
  @HttpCode(204)
  @Staff('checkin')
  @ApiOperation({ operationId: 'logout', summary: 'Sign out', description: 'Revokes the token used; other tokens of the user stay valid.' })
  @ApiNoContentResponse({ description: 'The token is revoked' })
  async logout(@CurrentStaff() staff: StaffPrincipal): Promise<void> {
    await this.auth.logout(staff);
  }

  @Post('auth/password')
  @HttpCode(204)
  @Staff('checkin')
  @ApiOperation({
    operationId: 'changePassword',
    summary: 'Change your own password',
    description:
      'Needs the current password. Revokes every other token of the user (not the one used). A wrong currentPassword is 400 ' +
      '(the token itself is valid) and counts as a failed login.',
  })
  @ApiNoContentResponse({ description: 'Changed; every other token of the user is revoked, the one used stays valid' })
  @ApiBadRequestResponse({ type: ProblemSchema, description: 'Invalid body, or currentPassword is wrong (listed in errors)' })
  @ApiTooManyRequestsResponse({ type: ProblemSchema, description: 'Too many wrong passwords; see Retry-After' })
  async changePassword(@CurrentStaff() staff: StaffPrincipal, @Body() dto: ChangePasswordDto, @Ip() ip: string): Promise<void> {
    // A stolen token must not become a way to guess the password: wrong ones count as failed logins.
    const attempt = await this.limiter.loginAttempt(ip, staff.email);
    await attempt.check(() => this.auth.changePassword(staff, dto.currentPassword, dto.newPassword));
  }
}
