import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A stored answer to a registration request: `responseBody` is encrypted with a key derived from the
 * Idempotency-Key; `responseFacts` is what the registration decided under the session's lock.
 */
@Entity('idempotency_keys')
@Index('idempotency_keys_created_at_idx', ['createdAt'])
export class IdempotencyKeyEntity {
  @PrimaryColumn({ name: 'key_hash', type: 'bytea' }) keyHash!: Buffer;
  @Column({ name: 'request_hash', type: 'bytea' }) requestHash!: Buffer;
  @Column({ name: 'response_status', type: 'smallint', nullable: true }) responseStatus!: number | null;
  @Column({ name: 'response_body', type: 'bytea', nullable: true }) responseBody!: Buffer | null;
  @Column({ name: 'response_facts', type: 'jsonb', nullable: true }) responseFacts!: unknown;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
