import type { StaffUserView } from './dto/login.dto';
import type { Role } from './staff-user.entity';

/** A staff user as auth.queries.ts reads it; `password_hash` only where a password is checked. */
export interface StaffUserRow {
  id: string;
  email: string;
  role: Role;
  disabled_at: Date | null;
  created_at: Date;
}

export function toStaffUserView(u: StaffUserRow): StaffUserView {
  return {
    id: u.id,
    email: u.email,
    role: u.role,
    disabled: u.disabled_at !== null,
    disabledAt: u.disabled_at?.toISOString() ?? null,
    createdAt: u.created_at.toISOString(),
  };
}
