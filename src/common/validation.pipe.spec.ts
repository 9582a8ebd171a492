import { ValidationError } from './errors';
import { createValidationPipe, illFormedStrings } from './validation.pipe';

describe('illFormedStrings', () => {
  it('names every string with an unpaired surrogate, at any depth', () => {
    expect(illFormedStrings({ email: '\ud800', name: 'ok', nested: { list: ['fine', 'x\udc00y'] } })).toEqual(['email', 'nested.list.1']);
    expect(illFormedStrings('a\ud83d')).toEqual(['body']);
  });

  it('accepts well-formed text, emoji (paired surrogates) included, and non-strings', () => {
    expect(illFormedStrings({ name: 'Zoë 🎸', n: 1, b: true, z: null, list: ['é'] })).toEqual([]);
  });
});

describe('createValidationPipe', () => {
  const pipe = createValidationPipe();

  it('refuses ill-formed text in request input', async () => {
    await expect(pipe.transform({ email: '\ud800' }, { type: 'body', metatype: Object })).rejects.toThrow(ValidationError);
    await expect(pipe.transform('\udc00', { type: 'param', metatype: String, data: 'id' })).rejects.toThrow(ValidationError);
  });

  it('leaves the values of custom parameter decorators (not request input) as they are', async () => {
    const principal = { id: 'u1', name: '\ud800' };
    await expect(pipe.transform(principal, { type: 'custom', metatype: Object })).resolves.toBe(principal);
  });
});
