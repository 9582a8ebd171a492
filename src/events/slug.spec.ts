import { slugify, uniqueSlug } from './slug';

describe('slugs', () => {
  it.each([
    ['Best Places to Work 2027', 'best-places-to-work-2027'],
    ['Café Night: Networking!', 'cafe-night-networking'],
    ['  --Hello,   World--  ', 'hello-world'],
    ['Straße & Ölmühle', 'strasse-olmuhle'],
    ['🎉🎉', 'event'],
    ['', 'event'],
    ["'; DROP TABLE events; --", 'drop-table-events'],
  ])('%j → %s', (title, slug) => {
    expect(slugify(title)).toBe(slug);
  });

  it('stays within 100 characters and never ends with a dash', () => {
    const slug = slugify(`${'a'.repeat(99)} b`);
    expect(slug.length).toBeLessThanOrEqual(100);
    expect(slug).not.toMatch(/-$/);
  });

  it('numbers duplicates', () => {
    expect(uniqueSlug('gala', [])).toBe('gala');
    expect(uniqueSlug('gala', ['gala'])).toBe('gala-2');
    expect(uniqueSlug('gala', ['gala', 'gala-2', 'gala-3', 'gala-x'])).toBe('gala-4');
  });
});
