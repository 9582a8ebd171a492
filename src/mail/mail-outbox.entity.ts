import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { MessageKind } from './message-kind';

export type OutboxStatus = 'pending' | 'sent' | 'failed';

/**
 * One message to one registration, written in the same transaction as the change it tells of.
 * next_attempt_at doubles as the claim's lease (see mail-delivery/delivery.queries.ts).
 * - The key leads with the registration, so it is also the staff view's index.
 * - No foreign key: every writer takes the registration id from registrations in the same
 *   transaction, and registrations are never deleted; the key's check cost each registration a
 *   third of its mail row (BENCHMARKS.md). Delivery fails a message whose registration is gone.
 */
@Entity('mail_outbox')
@Check(
  'mail_outbox_kind_check',
  `kind IN ('confirmed', 'waitlisted', 'promoted', 'cancelled', 'session-updated', 'session-cancelled', 'manage-link')`,
)
@Check('mail_outbox_status_check', `status IN ('pending', 'sent', 'failed')`)
// What delivery claims: pending rows only, so the index stays as small as the backlog.
@Index('mail_outbox_due_idx', ['nextAttemptAt'], { where: `status = 'pending'` })
export class MailOutboxEntity {
  @PrimaryColumn({ name: 'registration_id', type: 'uuid' }) registrationId!: string;
  /** Also the Message-ID's local part. */
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'varchar', length: 32 }) kind!: MessageKind;
  /** Facts of the moment the message tells of (a waitlist position, who cancelled). */
  @Column({ type: 'jsonb', nullable: true }) details!: Record<string, unknown> | null;
  @Column({ type: 'varchar', length: 16, default: 'pending' }) status!: OutboxStatus;
  @Column({ type: 'integer', default: 0 }) attempts!: number;
  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' }) nextAttemptAt!: Date;
  @Column({ name: 'last_error', type: 'text', nullable: true }) lastError!: string | null;
  /** The HTTP request whose change wrote this message. */
  @Column({ name: 'request_id', type: 'varchar', length: 128, nullable: true }) requestId!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true }) sentAt!: Date | null;
}
