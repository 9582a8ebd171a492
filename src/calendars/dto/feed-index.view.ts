import { ApiProperty } from '@nestjs/swagger';

export class FeedLinksView {
  @ApiProperty({ format: 'uri', example: 'http://localhost:3000/calendars/all.ics', description: 'The feed over HTTP(S)' }) ics!: string;
  @ApiProperty({
    format: 'uri',
    example: 'webcal://localhost:3000/calendars/all.ics',
    description: 'Subscribe in Apple Calendar, Outlook, Thunderbird',
  })
  webcal!: string;
  @ApiProperty({ format: 'uri', description: 'Subscribe in Google Calendar' }) google!: string;
}

export class CategoryFeedView {
  @ApiProperty({ example: 'music' }) category!: string;
  @ApiProperty({ type: FeedLinksView }) links!: FeedLinksView;
}

export class FeedIndexView {
  @ApiProperty({ type: FeedLinksView, description: 'Every session of every published event, from 30 days ago on' })
  all!: FeedLinksView;
  @ApiProperty({ type: [CategoryFeedView], description: 'One feed per category that has a published event' })
  categories!: CategoryFeedView[];
}
