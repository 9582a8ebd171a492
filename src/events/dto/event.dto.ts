import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, IsUrl, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { IsIanaTimezone, OptionalNotNull } from '../../common/validators';
import { VenueDto } from './venue.dto';

export class CreateEventDto {
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Best Places to Work Awards' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title!: string;
  @ApiProperty({ maxLength: 64, description: 'IANA timezone name (or UTC)', example: 'America/Los_Angeles' })
  @IsIanaTimezone()
  timezone!: string;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 500, example: 'The annual awards night' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  summary?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 20000 })
  @IsOptional()
  @IsString()
  @MaxLength(20000)
  description?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 200, example: 'TBJ' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  organizer?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, minLength: 1, maxLength: 64, example: 'business' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  category?: string | null;
  @ApiPropertyOptional({ type: String, isArray: true, maxItems: 20, example: ['awards'] })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(50, { each: true })
  tags?: string[];
  @ApiPropertyOptional({ type: VenueDto, nullable: true }) @IsOptional() @ValidateNested() @Type(() => VenueDto) venue?: VenueDto | null;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    format: 'uri',
    maxLength: 2048,
    description: 'http or https',
    example: 'https://meet.example.com/abc',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true })
  onlineUrl?: string | null;
  // No `default` in the schema: generated clients would then make the field required.
  @ApiPropertyOptional({ enum: ['draft', 'published'], description: 'Omitted: draft' })
  @OptionalNotNull()
  @IsIn(['draft', 'published'])
  status?: 'draft' | 'published';
}

// Leaving a field out keeps it; null clears the nullable ones and is refused for the others.
export class UpdateEventDto extends PartialType(OmitType(CreateEventDto, ['status']), { skipNullProperties: false }) {
  /** Not in the document: /publish and /cancel change the status, and any value here is refused. */
  @IsOptional() @IsIn([]) status?: never;
}
