import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { IsInstant } from '../../common/validators';
import { IsUUID } from 'class-validator';

export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
  @ApiPropertyOptional({ description: 'Opaque, from the previous page' }) @IsOptional() @IsString() @MaxLength(512) cursor?: string;
}

export class ListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Sessions starting at or after (default: now)' }) @IsOptional() @IsInstant() from?: string;
  @ApiPropertyOptional({ description: 'Sessions starting before' }) @IsOptional() @IsInstant() to?: string;
  @ApiPropertyOptional({ description: 'Full-text search over title, summary and description' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) category?: string;
}

export class SessionListQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() eventId?: string;
}

export class AdminEventListQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: ['draft', 'published', 'cancelled'] }) @IsOptional() @IsIn(['draft', 'published', 'cancelled']) status?:
    'draft' | 'published' | 'cancelled';
}
