import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldErrorSchema {
  @ApiProperty({ example: 'email' }) field!: string;
  @ApiProperty({ example: 'email must be an email' }) message!: string;
}

/** RFC 9457 problem document, served as application/problem+json. */
export class ProblemSchema {
  @ApiProperty({ example: 'http://localhost:3000/problems/validation' }) type!: string;
  @ApiProperty({ example: 'Invalid request' }) title!: string;
  @ApiProperty({ example: 400 }) status!: number;
  @ApiProperty({ example: 'The request is not valid' }) detail!: string;
  @ApiPropertyOptional({ type: [FieldErrorSchema], description: 'Only for validation problems' }) errors?: FieldErrorSchema[];
}
