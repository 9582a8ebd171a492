import { ApiProperty } from '@nestjs/swagger';
import type { AvailabilityState } from '../availability';
import { VenueDto } from './venue.dto';

export class AvailabilityView {
  @ApiProperty({ enum: ['open', 'waitlist', 'full', 'closed', 'cancelled', 'past'] }) state!: AvailabilityState;
  @ApiProperty({ type: 'integer', nullable: true, minimum: 0, description: 'Null when unlimited' }) seatsRemaining!: number | null;
  @ApiProperty({ type: 'integer', minimum: 0 }) waitlistLength!: number;
}

export class SessionLinksView {
  @ApiProperty({ format: 'uri', description: 'POST here to register' }) register!: string;
  @ApiProperty({ format: 'uri', description: 'This session as an iCalendar download' }) ics!: string;
  @ApiProperty({ format: 'uri', description: 'The same, as a webcal:// subscription' }) webcal!: string;
  @ApiProperty({ format: 'uri', description: 'Add this session to Google Calendar (an event link, not a subscription)' }) google!: string;
}

export class EventRefView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'best-places-to-work-awards' }) slug!: string;
  @ApiProperty({ example: 'Best Places to Work Awards' }) title!: string;
  @ApiProperty({ type: String, nullable: true, example: 'TBJ' }) organizer!: string | null;
}

export class SessionView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty({ type: EventRefView }) event!: EventRefView;
  @ApiProperty({ format: 'date-time', description: 'UTC', example: '2027-08-02T01:00:00.000Z' }) startsAt!: string;
  @ApiProperty({ format: 'date-time', description: 'UTC', example: '2027-08-02T03:00:00.000Z' }) endsAt!: string;
  @ApiProperty({ description: 'IANA timezone, for display and feeds', example: 'America/Los_Angeles' }) timezone!: string;
  @ApiProperty({ type: VenueDto, nullable: true, description: "The session's venue, else the event's" }) venue!: VenueDto | null;
  @ApiProperty({ type: 'integer', nullable: true, minimum: 0, description: 'Null: unlimited' }) capacity!: number | null;
  @ApiProperty() waitlistEnabled!: boolean;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) registrationOpensAt!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) registrationClosesAt!: string | null;
  @ApiProperty({ enum: ['scheduled', 'cancelled'] }) status!: string;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'iCalendar SEQUENCE; grows when time, place or status changes' })
  sequence!: number;
  @ApiProperty({ type: AvailabilityView }) availability!: AvailabilityView;
  @ApiProperty({ type: SessionLinksView }) links!: SessionLinksView;
}

export class EventLinksView {
  @ApiProperty({ format: 'uri' }) self!: string;
  @ApiProperty({ format: 'uri', description: "All the event's sessions as iCalendar" }) ics!: string;
  @ApiProperty({ format: 'uri', description: 'The same, as a webcal:// subscription' }) webcal!: string;
  @ApiProperty({ format: 'uri', description: 'Subscribe in Google Calendar' }) google!: string;
}

export class EventView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'Made from the title, unique', example: 'best-places-to-work-awards' }) slug!: string;
  @ApiProperty({ example: 'Best Places to Work Awards' }) title!: string;
  @ApiProperty({ type: String, nullable: true }) summary!: string | null;
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'TBJ' }) organizer!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'business' }) category!: string | null;
  @ApiProperty({ type: String, isArray: true }) tags!: string[];
  @ApiProperty({ type: VenueDto, nullable: true }) venue!: VenueDto | null;
  @ApiProperty({ type: String, nullable: true, format: 'uri' }) onlineUrl!: string | null;
  @ApiProperty({ example: 'America/Los_Angeles' }) timezone!: string;
  @ApiProperty({ enum: ['draft', 'published', 'cancelled'] }) status!: string;
  @ApiProperty({
    type: [SessionView],
    description:
      'A single read: up to 100 sessions, those from now on first (earliest first), then the latest earlier ones. ' +
      'A listing: the first 5 in range. The rest page through GET /sessions?eventId=',
  })
  sessions!: SessionView[];
  @ApiProperty({
    type: 'integer',
    minimum: 0,
    description: 'How many sessions the event has (in a listing: in range); more than `sessions` holds when the list is cut',
    example: 3,
  })
  sessionCount!: number;
  @ApiProperty({ type: AvailabilityView, description: 'Of the sessions shown' }) availability!: AvailabilityView;
  @ApiProperty({ type: EventLinksView }) links!: EventLinksView;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class SessionPage {
  @ApiProperty({ type: [SessionView] }) data!: SessionView[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as ?cursor= for the next page; null on the last' }) nextCursor!:
    string | null;
}

export class EventPage {
  @ApiProperty({ type: [EventView] }) data!: EventView[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as ?cursor= for the next page; null on the last' }) nextCursor!:
    string | null;
}
