import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import { ROLES, Role } from '../staff-user.entity';

export class LoginDto {
  @ApiProperty({ example: 'admin@example.com' }) @IsString() @MaxLength(254) @IsEmail() email!: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(1024) password!: string;
}

export class CreateStaffUserDto {
  @ApiProperty({ example: 'door@example.com' }) @IsString() @MaxLength(254) @IsEmail() email!: string;
  @ApiProperty({ minLength: 12 }) @IsString() @MinLength(12) @MaxLength(1024) password!: string;
  @ApiProperty({ enum: ROLES }) @IsIn(ROLES) role!: Role;
}

export class StaffUserView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() email!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ description: 'A disabled user cannot log in and none of its tokens is accepted' }) disabled!: boolean;
  @ApiProperty({ type: String, nullable: true, description: 'Since when the user is disabled' }) disabledAt!: string | null;
  @ApiProperty() createdAt!: string;
}

export class LoginResponse {
  @ApiProperty() accessToken!: string;
  @ApiProperty() expiresAt!: string;
  @ApiProperty({ type: StaffUserView }) user!: StaffUserView;
}
