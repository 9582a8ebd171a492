import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, IsUrl, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { IsIanaTimezone, OptionalNotNull } from '../../common/validators';
import { VenueDto } from './venue.dto';

export class CreateEventDto {
  @ApiProperty({ example: 'Best Places to Work Awards' }) @IsString() @MinLength(1) @MaxLength(200) title!: string;
  @ApiProperty({ example: 'America/Los_Angeles' }) @IsIanaTimezone() timezone!: string;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @IsString() @MaxLength(500) summary?: string | null;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @IsString() @MaxLength(20000) description?: string | null;
  @ApiPropertyOptional({ nullable: true, example: 'TBJ' }) @IsOptional() @IsString() @MaxLength(200) organizer?: string | null;
  @ApiPropertyOptional({ nullable: true, example: 'business' }) @IsOptional() @IsString() @MinLength(1) @MaxLength(64) category?:
    string | null;
  @ApiPropertyOptional({ type: [String] })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(50, { each: true })
  tags?: string[];
  @ApiPropertyOptional({ type: VenueDto, nullable: true }) @IsOptional() @ValidateNested() @Type(() => VenueDto) venue?: VenueDto | null;
  @ApiPropertyOptional({ nullable: true, example: 'https://meet.example.com/abc' })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true })
  onlineUrl?: string | null;
  @ApiPropertyOptional({ enum: ['draft', 'published'], default: 'draft' }) @OptionalNotNull() @IsIn(['draft', 'published']) status?:
    'draft' | 'published';
}

export class UpdateEventDto extends PartialType(CreateEventDto) {
  @ApiPropertyOptional() @OptionalNotNull() @IsString() @MinLength(1) @MaxLength(200) declare title?: string;
  @ApiPropertyOptional() @OptionalNotNull() @IsIanaTimezone() declare timezone?: string;
  @ApiPropertyOptional({ description: 'Use /publish and /cancel to change the status' }) @IsOptional() @IsIn([]) declare status?: never;
}
