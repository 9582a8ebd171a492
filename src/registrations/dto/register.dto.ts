import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, Matches, MaxLength, MinLength } from 'class-validator';

const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

export class RegisterDto {
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Ada Lovelace', description: 'Trimmed; no control characters' })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  // Names end up in CSV exports and calendar text: line breaks and other control characters have no place in them.
  @Matches(/^[^\p{Cc}]*$/u, { message: 'name must not contain control characters' })
  name!: string;

  @ApiProperty({ format: 'email', maxLength: 254, example: 'ada@example.com', description: 'Unique per session, case-insensitively' })
  @Transform(trim)
  @IsString()
  @MaxLength(254)
  @IsEmail()
  email!: string;
}
