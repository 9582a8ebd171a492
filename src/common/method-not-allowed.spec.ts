import { RouteTable, routePattern } from './method-not-allowed';

describe('routePattern', () => {
  it('matches parameters within one segment, static suffixes and wildcards', () => {
    expect(routePattern('/sessions/:id').test('/sessions/abc')).toBe(true);
    expect(routePattern('/sessions/:id').test('/sessions/abc/calendar.ics')).toBe(false);
    expect(routePattern('/sessions/:id').test('/sessions/')).toBe(false);
    expect(routePattern('/calendars/categories/:category.ics').test('/calendars/categories/live%20music.ics')).toBe(true);
    expect(routePattern('/calendars/categories/:category.ics').test('/calendars/categories/music')).toBe(false);
    expect(routePattern('/calendars/categories/:category.ics').test('/calendars/categories/musicXics')).toBe(false);
    expect(routePattern('/docs/*').test('/docs/swagger-ui.css')).toBe(true);
  });
});

describe('RouteTable', () => {
  const table = new RouteTable();
  table.add('GET', '/sessions/:id');
  table.add(['HEAD'], '/sessions/:id');
  table.add('PATCH', '/admin/sessions/:id');
  table.add('GET', '/admin/sessions/:id');
  table.add('OPTIONS', '*');

  it('lists the methods a path answers, sorted and without OPTIONS', () => {
    expect(table.allowed('/sessions/x')).toEqual(['GET', 'HEAD']);
    expect(table.allowed('/admin/sessions/x')).toEqual(['GET', 'PATCH']);
  });

  it('lists nothing for a path no route has, whatever answers OPTIONS', () => {
    expect(table.allowed('/nowhere')).toEqual([]);
  });
});
