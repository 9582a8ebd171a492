import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** Swagger UI at /docs, the OpenAPI 3 document at /docs-json. */
export function setupOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Eventline')
    .setDescription(
      'Events, registrations and calendar feeds. Errors are application/problem+json (RFC 9457); ' +
        'lists are keyset-paginated with opaque cursors; ids are UUIDs (malformed ids are 404).',
    )
    .setVersion('0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'Token from POST /auth/login' })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  // No validator badge: it would send the page's address to validator.swagger.io, which the CSP forbids anyway.
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', swaggerOptions: { validatorUrl: null } });
}
