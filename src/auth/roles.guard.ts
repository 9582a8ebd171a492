import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ForbiddenError, UnauthorizedError } from '../common/errors';
import { AuthService } from './auth.service';
import { hasRole, ROLE_KEY, StaffPrincipal } from './roles';
import type { Role } from './staff-user.entity';

export type StaffRequest = FastifyRequest & { staff?: StaffPrincipal };

/** 401 without a valid bearer token, 403 when its user's role is below the route's. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const needed = this.reflector.getAllAndOverride<Role | undefined>(ROLE_KEY, [context.getHandler(), context.getClass()]);
    const request = context.switchToHttp().getRequest<StaffRequest>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw new UnauthorizedError();
    const staff = await this.auth.authenticate(match[1]);
    if (!staff) throw new UnauthorizedError('The bearer token is invalid, expired or revoked');
    request.staff = staff;
    if (needed && !hasRole(staff.role, needed)) throw new ForbiddenError();
    return true;
  }
}
