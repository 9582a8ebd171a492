import { hasRole, removesActiveAdmin } from './roles';

describe('hasRole', () => {
  it('ranks admin > editor > checkin', () => {
    expect(hasRole('admin', 'checkin')).toBe(true);
    expect(hasRole('editor', 'editor')).toBe(true);
    expect(hasRole('editor', 'admin')).toBe(false);
    expect(hasRole('checkin', 'editor')).toBe(false);
  });
});

describe('removesActiveAdmin', () => {
  const admin = { role: 'admin' as const, disabled: false };

  it('is true when an active admin is demoted or disabled', () => {
    expect(removesActiveAdmin(admin, { role: 'editor' })).toBe(true);
    expect(removesActiveAdmin(admin, { role: 'checkin' })).toBe(true);
    expect(removesActiveAdmin(admin, { disabled: true })).toBe(true);
    expect(removesActiveAdmin(admin, { role: 'admin', disabled: true })).toBe(true);
  });

  it('is false for changes that keep an active admin one', () => {
    expect(removesActiveAdmin(admin, {})).toBe(false);
    expect(removesActiveAdmin(admin, { role: 'admin' })).toBe(false);
    expect(removesActiveAdmin(admin, { disabled: false })).toBe(false);
  });

  it('is false for users who are not active admins', () => {
    expect(removesActiveAdmin({ role: 'admin', disabled: true }, { role: 'editor' })).toBe(false);
    expect(removesActiveAdmin({ role: 'editor', disabled: false }, { disabled: true })).toBe(false);
    expect(removesActiveAdmin({ role: 'checkin', disabled: false }, { role: 'editor' })).toBe(false);
  });
});
