import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, Max, Min, ValidateNested } from 'class-validator';
import { IsIanaTimezone, IsInstant, OptionalNotNull } from '../../common/validators';
import { VenueDto } from './venue.dto';

export class CreateSessionDto {
  @ApiProperty({ example: '2027-08-01T18:00:00-07:00' }) @IsInstant() startsAt!: string;
  @ApiProperty({ example: '2027-08-01T20:00:00-07:00' }) @IsInstant() endsAt!: string;
  @ApiPropertyOptional({ description: "Defaults to the event's" }) @OptionalNotNull() @IsIanaTimezone() timezone?: string;
  @ApiPropertyOptional({ type: VenueDto, nullable: true, description: "Null: the event's venue" })
  @IsOptional()
  @ValidateNested()
  @Type(() => VenueDto)
  venue?: VenueDto | null;
  @ApiPropertyOptional({ nullable: true, description: 'Null or omitted: unlimited' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  capacity?: number | null;
  @ApiPropertyOptional({ default: false }) @OptionalNotNull() @IsBoolean() waitlistEnabled?: boolean;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @IsInstant() registrationOpensAt?: string | null;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @IsInstant() registrationClosesAt?: string | null;
}

export class UpdateSessionDto {
  @ApiPropertyOptional() @OptionalNotNull() @IsInstant() startsAt?: string;
  @ApiPropertyOptional() @OptionalNotNull() @IsInstant() endsAt?: string;
  @ApiPropertyOptional() @OptionalNotNull() @IsIanaTimezone() timezone?: string;
  @ApiPropertyOptional({ type: VenueDto, nullable: true }) @IsOptional() @ValidateNested() @Type(() => VenueDto) venue?: VenueDto | null;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @IsInt() @Min(0) @Max(1_000_000) capacity?: number | null;
  @ApiPropertyOptional() @OptionalNotNull() @IsBoolean() waitlistEnabled?: boolean;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @IsInstant() registrationOpensAt?: string | null;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @IsInstant() registrationClosesAt?: string | null;
}
