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

/** Whether a change to a staff user takes it out of the active admins (disabled or demoted). */
export function removesActiveAdmin(user: { role: Role; disabled: boolean }, change: { role?: Role; disabled?: boolean }): boolean {
  const activeAdmin = user.role === 'admin' && !user.disabled;
  return activeAdmin && ((change.role !== undefined && change.role !== 'admin') || change.disabled === true);
}
