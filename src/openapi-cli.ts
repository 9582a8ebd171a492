import { writeFileSync } from 'node:fs';
import { createOpenApiDocument, serializeDocument } from './openapi';

/** `npm run openapi`: writes the document to ./openapi.json (no database needed). */
createOpenApiDocument()
  .then((document) => writeFileSync('openapi.json', serializeDocument(document)))
  .catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
