import { illFormedStrings } from './validation.pipe';

describe('illFormedStrings', () => {
  it('names every string with an unpaired surrogate, at any depth', () => {
    expect(illFormedStrings({ email: '\ud800', name: 'ok', nested: { list: ['fine', 'x\udc00y'] } })).toEqual(['email', 'nested.list.1']);
    expect(illFormedStrings('a\ud83d')).toEqual(['body']);
  });

  it('accepts well-formed text, emoji (paired surrogates) included, and non-strings', () => {
    expect(illFormedStrings({ name: 'Zoë 🎸', n: 1, b: true, z: null, list: ['é'] })).toEqual([]);
  });
});
