import { ArgumentMetadata, ValidationError as ClassValidatorError, ValidationPipe } from '@nestjs/common';
import { FieldError, ValidationError } from './errors';

/**
 * One message per field: a required field that is missing says so, instead of every rule it
 * would have had to pass.
 */
function flatten(errors: ClassValidatorError[], prefix = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const constraints = e.constraints ?? {};
    const missing = e.value === undefined && Object.keys(constraints).length > 0 && !('whitelistValidation' in constraints);
    const own = missing
      ? [{ field, message: `${e.property} is required` }]
      : Object.values(constraints).map((message) => ({ field, message }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** A UTF-16 half of a pair without its other half: text no database column or encoder can take. */
const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Paths of the strings in `value` that are not well-formed Unicode (JSON can carry them as `\ud800`).
 * A loop over an explicit stack, not recursion: no input's depth can overflow the call stack.
 */
export function illFormedStrings(value: unknown): string[] {
  const found: string[] = [];
  const stack: [unknown, string][] = [[value, '']];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [v, path] = next;
    if (typeof v === 'string') {
      if (UNPAIRED_SURROGATE.test(v)) found.push(path || 'body');
    } else if (v !== null && typeof v === 'object') {
      // Reversed, so that the stack yields them in order.
      for (const [key, child] of Object.entries(v).reverse()) stack.push([child, path ? `${path}.${key}` : key]);
    }
  }
  return found;
}

/**
 * Input text must be well-formed Unicode before any validator sees it: some (e.g. isEmail, through
 * encodeURI) throw on an unpaired surrogate instead of answering false. Values of custom parameter
 * decorators (the signed-in staff member) are not request input and, as in ValidationPipe, are
 * left alone. A DTO body must be a JSON object: anything else would be judged field by field
 * ("property 0 should not exist").
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
    if (metadata.type === 'body' && this.toValidate(metadata) && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      throw new ValidationError('The request body must be a JSON object', [{ field: 'body', message: 'must be a JSON object' }]);
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
    // The value is read only to tell a missing field (undefined) from a wrong one; it is never sent back.
    validationError: { target: false, value: true },
    exceptionFactory: (errors) => new ValidationError('The request is not valid', flatten(errors)),
  });
}
