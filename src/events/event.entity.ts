import { Column, CreateDateColumn, Entity, OneToMany, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { SessionEntity } from './session.entity';

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
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
  @OneToMany(() => SessionEntity, (s) => s.event) sessions?: SessionEntity[];
}
