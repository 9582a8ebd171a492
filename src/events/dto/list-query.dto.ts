import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../common/page-query.dto';
import { IsInstant } from '../../common/validators';
import type { EventStatus } from '../event.entity';

export class ListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Sessions starting at or after this instant, ISO 8601 with an offset (default: now)',
    example: '2027-08-01T00:00:00-07:00',
  })
  @IsOptional()
  @IsInstant()
  from?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'Sessions starting before this instant (exclusive)' })
  @IsOptional()
  @IsInstant()
  to?: string;
  @ApiPropertyOptional({ maxLength: 200, description: 'Full-text search over title, summary and description' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
  @ApiPropertyOptional({ maxLength: 64, description: 'Case-insensitive', example: 'business' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  category?: string;
}

export class SessionListQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only the sessions of this event' }) @IsOptional() @IsUUID() eventId?: string;
}

export class AdminEventListQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: ['draft', 'published', 'cancelled'] })
  @IsOptional()
  @IsIn(['draft', 'published', 'cancelled'])
  status?: EventStatus;
}
