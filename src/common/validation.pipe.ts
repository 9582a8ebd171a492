import { ArgumentMetadata, ValidationError as ClassValidatorError, ValidationPipe } from '@nestjs/common';
import { FieldError, ValidationError } from './errors';

function flatten(errors: ClassValidatorError[], prefix = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** A UTF-16 half of a pair without its other half: text no database column or encoder can take. */
const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Paths of the strings in `value` that are not well-formed Unicode (JSON can carry them as `\ud800`). */
export function illFormedStrings(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') return UNPAIRED_SURROGATE.test(value) ? [prefix || 'body'] : [];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, v]) => illFormedStrings(v, prefix ? `${prefix}.${key}` : key));
}

/**
 * Input text must be well-formed Unicode before any validator sees it: some (e.g. isEmail, through
 * encodeURI) throw on an unpaired surrogate instead of answering false. Values of custom parameter
 * decorators (the signed-in staff member) are not request input and, as in ValidationPipe, are
 * left alone.
 */
class WellFormedValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const fields = metadata.type === 'custom' ? [] : illFormedStrings(value);
    if (fields.length > 0) {
      throw new ValidationError(
        'The request is not valid',
        fields.map((field) => ({ field, message: 'must be valid Unicode text' })),
      );
    }
    return super.transform(value, metadata);
  }
}

/** Whitelist, reject unknown fields, transform; failures become a `validation` problem listing each field. */
export function createValidationPipe(): ValidationPipe {
  return new WellFormedValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ValidationError('The request is not valid', flatten(errors)),
  });
}
