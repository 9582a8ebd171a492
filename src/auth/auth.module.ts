import { Global, Module } from '@nestjs/common';
import { RateLimiter } from '../common/rate-limiter';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { RolesGuard } from './roles.guard';

@Global()
@Module({
  controllers: [AuthController],
  providers: [AuthService, RolesGuard, RateLimiter],
  exports: [AuthService, RolesGuard, RateLimiter],
})
export class AuthModule {}
