import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { MessageKind } from './message-kind';

export type OutboxStatus = 'pending' | 'sent' | 'failed';

/**
 * One message to one registration, written in the same transaction as the change it tells of.
 * next_attempt_at doubles as the claim's lease (see mail-delivery/delivery.queries.ts).
 */
@Entity('mail_outbox')
@Check(
  'mail_outbox_kind_check',
  `kind IN ('confirmed', 'waitlisted', 'promoted', 'cancelled', 'session-updated', 'session-cancelled', 'manage-link')`,
)
@Check('mail_outbox_status_check', `status IN ('pending', 'sent', 'failed')`)
// What delivery claims: pending rows only, so the index stays as small as the backlog.
@Index('mail_outbox_due_idx', ['nextAttemptAt'], { where: `status = 'pending'` })
// The staff view of one registration's messages, in keyset order.
@Index('mail_outbox_registration_idx', ['registrationId', 'createdAt', 'id'])
export class MailOutboxEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  // By name, not class: the registrations folder writes the outbox, so mail may not import it.
  @ForeignKey('RegistrationEntity', { name: 'mail_outbox_registration_id_fkey', onDelete: 'CASCADE' })
  @Column({ name: 'registration_id', type: 'uuid' })
  registrationId!: string;
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
