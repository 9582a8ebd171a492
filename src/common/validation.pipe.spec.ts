import { Type } from 'class-transformer';
import { IsEmail, IsInt, IsOptional, IsString, Max, MaxLength } from 'class-validator';
import { ValidationError } from './errors';
import { createValidationPipe, illFormedStrings } from './validation.pipe';

class ContactDto {
  @IsString() @MaxLength(254) @IsEmail() email!: string;
}

class PageDto {
  @IsOptional() @Type(() => Number) @IsInt() @Max(100) limit?: number;
}

describe('illFormedStrings', () => {
  it('names every string with an unpaired surrogate, at any depth', () => {
    expect(illFormedStrings({ email: '\ud800', name: 'ok', nested: { list: ['fine', 'x\udc00y'] } })).toEqual(['email', 'nested.list.1']);
    expect(illFormedStrings('a\ud83d')).toEqual(['body']);
  });

  it('accepts well-formed text, emoji (paired surrogates) included, and non-strings', () => {
    expect(illFormedStrings({ name: 'Zoë 🎸', n: 1, b: true, z: null, list: ['é'] })).toEqual([]);
  });

  it('walks any depth without recursion', () => {
    let deep: unknown = '\ud800';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(illFormedStrings(deep)).toEqual([`${'0.'.repeat(99_999)}0`]);
  });
});

describe('createValidationPipe', () => {
  const pipe = createValidationPipe();

  it('refuses ill-formed text in request input', async () => {
    await expect(pipe.transform({ email: '\ud800' }, { type: 'body', metatype: Object })).rejects.toThrow(ValidationError);
    await expect(pipe.transform('\udc00', { type: 'param', metatype: String, data: 'id' })).rejects.toThrow(ValidationError);
  });

  const errorsOf = async (value: unknown): Promise<unknown> => {
    try {
      await pipe.transform(value, { type: 'body', metatype: ContactDto });
    } catch (error) {
      return { detail: (error as ValidationError).message, errors: (error as ValidationError).errors };
    }
    throw new Error('accepted');
  };

  it('says once that a missing field is required, and lists every rule a wrong one breaks', async () => {
    expect(await errorsOf({})).toMatchObject({ errors: [{ field: 'email', message: 'email is required' }] });
    expect(await errorsOf({ email: 5 })).toMatchObject({
      errors: expect.arrayContaining([{ field: 'email', message: 'email must be a string' }]),
    });
    expect(await errorsOf({ email: 'ada@example.com', extra: undefined })).toMatchObject({
      errors: [{ field: 'extra', message: 'property extra should not exist' }],
    });
  });

  it.each([[[1, 2]], ['text'], [42], [null], [undefined]])('refuses the body %p: it must be a JSON object', async (body) => {
    expect(await errorsOf(body)).toEqual({
      detail: 'The request body must be a JSON object',
      errors: [{ field: 'body', message: 'must be a JSON object' }],
    });
  });

  it('leaves the values of custom parameter decorators (not request input) as they are', async () => {
    const principal = { id: 'u1', name: '\ud800' };
    await expect(pipe.transform(principal, { type: 'custom', metatype: Object })).resolves.toBe(principal);
  });

  describe('query DTOs', () => {
    const query = (value: unknown) => pipe.transform(value, { type: 'query', metatype: PageDto });

    it('are refused when invalid: out of range, ill-formed or with an unknown field', async () => {
      for (let i = 0; i < 2; i++) await expect(query({ limit: '101' })).rejects.toThrow(ValidationError);
      await expect(query({ limit: '\ud800' })).rejects.toThrow(ValidationError);
      await expect(query({ limit: '20', extra: 'x' })).rejects.toThrow(ValidationError);
    });
  });
});
