import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const ROLES = ['admin', 'editor', 'checkin'] as const;
export type Role = (typeof ROLES)[number];

@Entity('staff_users')
@Check('staff_users_role_check', `role IN ('admin', 'editor', 'checkin')`)
// UNIQUE (lower(email)): an expression TypeORM cannot diff, so it leaves this index alone.
@Index('staff_users_email_key', { synchronize: false })
export class StaffUserEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'varchar', length: 254 }) email!: string;
  @Column({ name: 'password_hash', type: 'text', select: false }) passwordHash!: string;
  @Column({ type: 'varchar', length: 16 }) role!: Role;
  /** Set while the account is disabled: no login, no token of it is accepted. */
  @Column({ name: 'disabled_at', type: 'timestamptz', nullable: true }) disabledAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
