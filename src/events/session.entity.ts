import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { EventEntity, Venue } from './event.entity';

export type SessionStatus = 'scheduled' | 'cancelled';

@Entity('sessions')
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
