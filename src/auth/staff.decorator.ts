import { applyDecorators, createParamDecorator, ExecutionContext, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ProblemSchema } from '../common/problem.schema';
import { RequireRole, StaffPrincipal } from './roles';
import { RolesGuard, StaffRequest } from './roles.guard';
import type { Role } from './staff-user.entity';

/** Marks a route as staff-only with the least role it needs, and documents the 401/403. */
export const Staff = (role: Role) =>
  applyDecorators(
    RequireRole(role),
    UseGuards(RolesGuard),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ type: ProblemSchema, description: 'Missing or invalid bearer token' }),
    ApiForbiddenResponse({ type: ProblemSchema, description: `Needs the ${role} role or above` }),
  );

export const CurrentStaff = createParamDecorator((_: unknown, ctx: ExecutionContext): StaffPrincipal => {
  return ctx.switchToHttp().getRequest<StaffRequest>().staff as StaffPrincipal;
});
