import { Global, Module } from '@nestjs/common';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { RolesGuard } from './roles.guard';
import { StaffTokenSweeper } from './staff-token-sweeper';
import { StaffUsersController } from './staff-users.controller';
import { StaffUsersService } from './staff-users.service';

@Global()
@Module({
  controllers: [AuthController, StaffUsersController],
  providers: [AuthService, RolesGuard, StaffUsersService, StaffTokenSweeper],
  exports: [AuthService, RolesGuard],
})
export class AuthModule {}
