import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

/** Every field may be left out or null; the service stores what is given. */
export class VenueDto {
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 200, example: 'Convention Center' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 300, example: '747 Howard St' })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  address?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 100, example: 'San Francisco' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  city?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 100, example: 'CA' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  region?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 20, example: '94103' })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  postalCode?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 100, example: 'US' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  country?: string | null;
}
