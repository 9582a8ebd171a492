import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import { OptionalNotNull } from '../../common/validators';
import { ROLES, Role } from '../staff-user.entity';

export class UpdateStaffUserDto {
  @ApiPropertyOptional({ enum: ROLES, description: 'Demoting the last active admin is 409' })
  @OptionalNotNull()
  @IsIn(ROLES)
  role?: Role;
  @ApiPropertyOptional({ description: 'true revokes every token of the user at once; disabling the last active admin is 409' })
  @OptionalNotNull()
  @IsBoolean()
  disabled?: boolean;
  @ApiPropertyOptional({ minLength: 12, maxLength: 1024, description: 'A new password; revokes every token of the user' })
  @OptionalNotNull()
  @IsString()
  @MinLength(12)
  @MaxLength(1024)
  password?: string;
}

export class ChangePasswordDto {
  @ApiProperty({ minLength: 1, maxLength: 1024 }) @IsString() @MinLength(1) @MaxLength(1024) currentPassword!: string;
  @ApiProperty({ minLength: 12, maxLength: 1024 }) @IsString() @MinLength(12) @MaxLength(1024) newPassword!: string;
}
