import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldErrorSchema {
  @ApiProperty({ description: 'The body or query field (dotted for nested ones)', example: 'email' }) field!: string;
  @ApiProperty({ example: 'email must be an email' }) message!: string;
}

/** RFC 9457 problem document, served as application/problem+json. */
export class ProblemSchema {
  @ApiProperty({
    format: 'uri',
    description: '`<PUBLIC_BASE_URL>/problems/<slug>`; the slug says what went wrong (validation, not-found, sold-out, …)',
    example: 'http://localhost:3000/problems/validation',
  })
  type!: string;
  @ApiProperty({ example: 'Invalid request' }) title!: string;
  @ApiProperty({ type: 'integer', minimum: 400, maximum: 599, description: 'The HTTP status', example: 400 }) status!: number;
  @ApiProperty({ example: 'The request is not valid' }) detail!: string;
  @ApiPropertyOptional({ type: [FieldErrorSchema], description: 'Only for validation problems' }) errors?: FieldErrorSchema[];
}
