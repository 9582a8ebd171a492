import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import { ROLES, Role } from '../staff-user.entity';

export class LoginDto {
  @ApiProperty({ format: 'email', maxLength: 254, example: 'admin@example.com' }) @IsString() @MaxLength(254) @IsEmail() email!: string;
  @ApiProperty({ minLength: 1, maxLength: 1024 }) @IsString() @MinLength(1) @MaxLength(1024) password!: string;
}

export class CreateStaffUserDto {
  @ApiProperty({ format: 'email', maxLength: 254, example: 'door@example.com' }) @IsString() @MaxLength(254) @IsEmail() email!: string;
  @ApiProperty({ minLength: 12, maxLength: 1024 }) @IsString() @MinLength(12) @MaxLength(1024) password!: string;
  @ApiProperty({ enum: ROLES }) @IsIn(ROLES) role!: Role;
}

export class StaffUserView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'email', example: 'door@example.com' }) email!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ description: 'A disabled user cannot log in and none of its tokens is accepted' }) disabled!: boolean;
  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: 'Since when the user is disabled' }) disabledAt!:
    string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class LoginResponse {
  @ApiProperty({ description: 'Opaque bearer token (not a JWT): send it as `Authorization: Bearer <token>`' }) accessToken!: string;
  @ApiProperty({ format: 'date-time', description: '12 hours after login' }) expiresAt!: string;
  @ApiProperty({ type: StaffUserView }) user!: StaffUserView;
}

export class StaffUserPage {
  @ApiProperty({ type: [StaffUserView] }) data!: StaffUserView[];
  @ApiProperty({ type: String, nullable: true, description: 'Always null: staff lists fit on one page' }) nextCursor!: string | null;
}
