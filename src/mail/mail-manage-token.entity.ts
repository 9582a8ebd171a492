import { CreateDateColumn, Entity, ForeignKey, Index, Column, PrimaryColumn } from 'typeorm';

/** A manage token a mail carried, beside the one made at registration; hashes only. */
@Entity('mail_manage_tokens')
@Index('mail_manage_tokens_registration_idx', ['registrationId'])
export class MailManageTokenEntity {
  /** SHA-256 of the token; the token itself is only in the mail. */
  @PrimaryColumn({ name: 'token_hash', type: 'bytea' }) tokenHash!: Buffer;
  // By name, not class: the registrations folder looks tokens up, so mail may not import it.
  @ForeignKey('RegistrationEntity', { name: 'mail_manage_tokens_registration_id_fkey', onDelete: 'CASCADE' })
  @Column({ name: 'registration_id', type: 'uuid' })
  registrationId!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
