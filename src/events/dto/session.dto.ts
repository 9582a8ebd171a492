import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, Max, Min, ValidateNested } from 'class-validator';
import { IsIanaTimezone, IsInstant, OptionalNotNull } from '../../common/validators';
import { VenueDto } from './venue.dto';

export class CreateSessionDto {
  @ApiProperty({ format: 'date-time', description: 'ISO 8601 with an offset', example: '2027-08-01T18:00:00-07:00' })
  @IsInstant()
  startsAt!: string;
  @ApiProperty({ format: 'date-time', description: 'ISO 8601 with an offset', example: '2027-08-01T20:00:00-07:00' })
  @IsInstant()
  endsAt!: string;
  @ApiPropertyOptional({ maxLength: 64, description: "IANA timezone name; omitted: the event's", example: 'America/Los_Angeles' })
  @OptionalNotNull()
  @IsIanaTimezone()
  timezone?: string;
  @ApiPropertyOptional({ type: VenueDto, nullable: true, description: "Omitted or null: the event's venue" })
  @IsOptional()
  @ValidateNested()
  @Type(() => VenueDto)
  venue?: VenueDto | null;
  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    minimum: 0,
    maximum: 1_000_000,
    description: 'Omitted or null: unlimited',
    example: 50,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  capacity?: number | null;
  // No `default` in the schema: generated clients would then make the field required.
  @ApiPropertyOptional({ type: Boolean, description: 'Omitted: false' }) @OptionalNotNull() @IsBoolean() waitlistEnabled?: boolean;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time', description: 'Null: open from the start' })
  @IsOptional()
  @IsInstant()
  registrationOpensAt?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time', description: 'Null: open until the session starts' })
  @IsOptional()
  @IsInstant()
  registrationClosesAt?: string | null;
}

// Leaving a field out keeps it; null clears the nullable ones and is refused for the others.
export class UpdateSessionDto extends PartialType(CreateSessionDto, { skipNullProperties: false }) {}
