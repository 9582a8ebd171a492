import { ApiProperty } from '@nestjs/swagger';
import { SessionView } from '../../events/dto/views';
import { REGISTRATION_STATUSES, type RegistrationStatus } from '../registration.entity';

export class RegistrationLinksView {
  @ApiProperty({ format: 'uri', description: 'GET to read, DELETE to cancel this registration' }) manage!: string;
  @ApiProperty({ format: 'uri', description: "The registration's session as iCalendar" }) ics!: string;
}

/** What staff see of a registration (never its token). */
export class RegistrationView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) sessionId!: string;
  @ApiProperty({ enum: REGISTRATION_STATUSES }) status!: RegistrationStatus;
  @ApiProperty({ type: 'integer', nullable: true, minimum: 1, description: '1 = next to be promoted; null unless waitlisted' })
  waitlistPosition!: number | null;
  @ApiProperty({ example: 'Ada Lovelace' }) name!: string;
  @ApiProperty({ format: 'email', example: 'ada@example.com' }) email!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) checkedInAt!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'When it moved from the waitlist to a seat' })
  promotedAt!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) cancelledAt!: string | null;
}

export class RegistrationPage {
  @ApiProperty({ type: [RegistrationView] }) data!: RegistrationView[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as ?cursor= for the next page; null on the last' }) nextCursor!:
    string | null;
}

/** What the holder of the manage token sees. */
export class ManagedRegistrationView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: REGISTRATION_STATUSES }) status!: RegistrationStatus;
  @ApiProperty({ type: 'integer', nullable: true, minimum: 1, description: '1 = next to be promoted; null unless waitlisted' })
  waitlistPosition!: number | null;
  @ApiProperty({ example: 'Ada Lovelace' }) name!: string;
  @ApiProperty({ format: 'email', example: 'ada@example.com' }) email!: string;
  @ApiProperty({ type: SessionView }) session!: SessionView;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) checkedInAt!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) cancelledAt!: string | null;
  @ApiProperty({ type: RegistrationLinksView }) links!: RegistrationLinksView;
}

export class RegistrationCreatedView extends ManagedRegistrationView {
  @ApiProperty({ description: 'Secret (256 random bits) that manages this registration. Shown only here; keep it.' })
  manageToken!: string;
}
