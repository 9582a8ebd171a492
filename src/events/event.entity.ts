import { Check, Column, CreateDateColumn, Entity, Index, OneToMany, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { SessionEntity } from './session.entity';

/** The generated full-text column, as migration InitialSchema created it (and TypeormMetadata records it). */
export const EVENT_SEARCH_EXPRESSION =
  "setweight(to_tsvector('english', coalesce(title, '')), 'A') || " +
  "setweight(to_tsvector('english', coalesce(summary, '')), 'B') || " +
  "setweight(to_tsvector('english', coalesce(description, '')), 'C')";

export type EventStatus = 'draft' | 'published' | 'cancelled';

export interface Venue {
  name: string | null;
  address: string | null;
  city: string | null;
  region: string | null;
  postalCode: string | null;
  country: string | null;
}

@Entity('events')
@Check('events_status_check', `status IN ('draft', 'published', 'cancelled')`)
@Index('events_slug_key', ['slug'], { unique: true })
@Index('events_search_idx', ['search'], { type: 'gin' })
// On (lower(category)): an expression TypeORM cannot diff, so it leaves this index alone.
@Index('events_category_idx', { synchronize: false })
export class EventEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'varchar', length: 120 }) slug!: string;
  @Column({ type: 'varchar', length: 200 }) title!: string;
  @Column({ type: 'varchar', length: 500, nullable: true }) summary!: string | null;
  @Column({ type: 'text', nullable: true }) description!: string | null;
  @Column({ type: 'varchar', length: 200, nullable: true }) organizer!: string | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) category!: string | null;
  @Column({ type: 'text', array: true, default: () => "'{}'" }) tags!: string[];
  @Column({ type: 'jsonb', nullable: true }) venue!: Venue | null;
  @Column({ name: 'online_url', type: 'varchar', length: 2048, nullable: true }) onlineUrl!: string | null;
  @Column({ type: 'varchar', length: 64 }) timezone!: string;
  @Column({ type: 'varchar', length: 16, default: 'draft' }) status!: EventStatus;
  /** Full-text document for `q`, kept by PostgreSQL (events_search_idx); never read or written here. */
  @Column({
    type: 'tsvector',
    nullable: true,
    select: false,
    insert: false,
    update: false,
    generatedType: 'STORED',
    asExpression: EVENT_SEARCH_EXPRESSION,
  })
  search?: never;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
  @OneToMany(() => SessionEntity, (s) => s.event) sessions?: SessionEntity[];
}
