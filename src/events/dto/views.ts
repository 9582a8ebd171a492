import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { AvailabilityState } from '../availability';
import { VenueDto } from './venue.dto';

export class AvailabilityView {
  @ApiProperty({ enum: ['open', 'waitlist', 'full', 'closed', 'cancelled', 'past'] }) state!: AvailabilityState;
  @ApiProperty({ nullable: true, type: Number, description: 'Null when unlimited' }) seatsRemaining!: number | null;
  @ApiProperty() waitlistLength!: number;
}

export class SessionLinksView {
  @ApiProperty({ description: 'POST here to register' }) register!: string;
  @ApiProperty({ description: 'This session as an iCalendar download' }) ics!: string;
  @ApiProperty({ description: 'The same, as a webcal:// subscription' }) webcal!: string;
  @ApiProperty({ description: 'Add this session to Google Calendar (an event link, not a subscription)' }) google!: string;
}

export class EventRefView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() slug!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ nullable: true, type: String, example: 'TBJ' }) organizer!: string | null;
}

export class SessionView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty({ type: EventRefView }) event!: EventRefView;
  @ApiProperty({ format: 'date-time' }) startsAt!: string;
  @ApiProperty({ format: 'date-time' }) endsAt!: string;
  @ApiProperty({ example: 'America/Los_Angeles' }) timezone!: string;
  @ApiProperty({ type: VenueDto, nullable: true, description: "The session's venue, else the event's" }) venue!: VenueDto | null;
  @ApiProperty({ nullable: true, type: Number }) capacity!: number | null;
  @ApiProperty() waitlistEnabled!: boolean;
  @ApiProperty({ nullable: true, format: 'date-time', type: String }) registrationOpensAt!: string | null;
  @ApiProperty({ nullable: true, format: 'date-time', type: String }) registrationClosesAt!: string | null;
  @ApiProperty({ enum: ['scheduled', 'cancelled'] }) status!: string;
  @ApiProperty({ description: 'iCalendar SEQUENCE; grows when time, place or status changes' }) sequence!: number;
  @ApiProperty({ type: AvailabilityView }) availability!: AvailabilityView;
  @ApiProperty({ type: SessionLinksView }) links!: SessionLinksView;
}

export class EventLinksView {
  @ApiProperty() self!: string;
  @ApiProperty({ description: "All the event's sessions as iCalendar" }) ics!: string;
  @ApiProperty() webcal!: string;
  @ApiProperty({ description: 'Subscribe in Google Calendar' }) google!: string;
}

export class EventView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() slug!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ nullable: true, type: String }) summary!: string | null;
  @ApiProperty({ nullable: true, type: String }) description!: string | null;
  @ApiProperty({ nullable: true, type: String }) organizer!: string | null;
  @ApiProperty({ nullable: true, type: String }) category!: string | null;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ type: VenueDto, nullable: true }) venue!: VenueDto | null;
  @ApiProperty({ nullable: true, type: String }) onlineUrl!: string | null;
  @ApiProperty() timezone!: string;
  @ApiProperty({ enum: ['draft', 'published', 'cancelled'] }) status!: string;
  @ApiProperty({
    type: [SessionView],
    description:
      'A single read: up to 100 sessions, those from now on first (earliest first), then the latest earlier ones. ' +
      'A listing: the first 5 in range. The rest page through GET /sessions?eventId=',
  })
  sessions!: SessionView[];
  @ApiProperty({
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
  @ApiPropertyOptional({ nullable: true, type: String }) nextCursor!: string | null;
}

export class EventPage {
  @ApiProperty({ type: [EventView] }) data!: EventView[];
  @ApiPropertyOptional({ nullable: true, type: String }) nextCursor!: string | null;
}
