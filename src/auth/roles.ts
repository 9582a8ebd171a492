import { SetMetadata } from '@nestjs/common';
import type { Role } from './staff-user.entity';

const RANK: Record<Role, number> = { checkin: 1, editor: 2, admin: 3 };

/** admin > editor > checkin: a route names the least role it needs. */
export function hasRole(actual: Role, needed: Role): boolean {
  return RANK[actual] >= RANK[needed];
}

export const ROLE_KEY = 'eventline:role';
export const RequireRole = (role: Role) => SetMetadata(ROLE_KEY, role);

export interface StaffPrincipal {
  id: string;
  email: string;
  role: Role;
  tokenHash: Buffer;
}
