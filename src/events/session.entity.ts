import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { EventEntity, Venue } from './event.entity';

export type SessionStatus = 'scheduled' | 'cancelled';

@Entity('sessions')
@Check('sessions_capacity_check', 'capacity IS NULL OR capacity >= 0')
@Check('sessions_status_check', `status IN ('scheduled', 'cancelled')`)
@Check('sessions_confirmed_count_check', 'confirmed_count >= 0')
@Check('sessions_waitlisted_count_check', 'waitlisted_count >= 0')
@Check('sessions_ends_after_start', 'ends_at > starts_at')
// The last line of defence against overselling: the database itself refuses it.
@Check('sessions_capacity_not_exceeded', 'capacity IS NULL OR confirmed_count <= capacity')
// Public listing (ORDER BY starts_at, id) and one event's sessions, each with a keyset cursor.
@Index('sessions_starts_at_id_idx', ['startsAt', 'id'])
@Index('sessions_event_id_starts_at_idx', ['eventId', 'startsAt', 'id'])
export class SessionEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'event_id', type: 'uuid' }) eventId!: string;
  @ManyToOne(() => EventEntity, (e) => e.sessions, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'event_id', foreignKeyConstraintName: 'sessions_event_id_fkey' })
  event?: EventEntity;
  @Column({ name: 'starts_at', type: 'timestamptz' }) startsAt!: Date;
  @Column({ name: 'ends_at', type: 'timestamptz' }) endsAt!: Date;
  @Column({ type: 'varchar', length: 64 }) timezone!: string;
  /** Null: the event's venue applies. */
  @Column({ type: 'jsonb', nullable: true }) venue!: Venue | null;
  /** Null: unlimited. */
  @Column({ type: 'integer', nullable: true }) capacity!: number | null;
  @Column({ name: 'waitlist_enabled', type: 'boolean', default: false }) waitlistEnabled!: boolean;
  @Column({ name: 'registration_opens_at', type: 'timestamptz', nullable: true }) registrationOpensAt!: Date | null;
  @Column({ name: 'registration_closes_at', type: 'timestamptz', nullable: true }) registrationClosesAt!: Date | null;
  @Column({ type: 'varchar', length: 16, default: 'scheduled' }) status!: SessionStatus;
  /** iCalendar SEQUENCE: grows whenever time, place or status changes. */
  @Column({ type: 'integer', default: 0 }) sequence!: number;
  /** Maintained by the registration transaction under the session's row lock. */
  @Column({ name: 'confirmed_count', type: 'integer', default: 0 }) confirmedCount!: number;
  @Column({ name: 'waitlisted_count', type: 'integer', default: 0 }) waitlistedCount!: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
