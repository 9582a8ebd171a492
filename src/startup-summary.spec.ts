import { listenFailure, startupLines } from './startup-summary';

const config = { host: '0.0.0.0', port: 3000, publicBaseUrl: 'http://localhost:3000', admin: { email: 'a@example.com', password: 'x' } };

describe('startupLines', () => {
  it('says which database, whether the demo and the admin were made, and where to go', () => {
    expect(startupLines(config, 'Database: embedded', { demo: 'loaded', admin: 'created', staffUsers: 1 })).toEqual([
      'Database: embedded',
      'Demo data: loaded the TBJ demo events',
      'Admin a@example.com created',
      'Serving http://localhost:3000 (listening on 0.0.0.0:3000); API docs at http://localhost:3000/docs',
    ]);
  });

  it('says why nothing was loaded or created', () => {
    const lines = startupLines({ ...config, host: '::1' }, 'Database: x', { demo: 'present', admin: 'ignored', staffUsers: 2 });
    expect(lines.slice(1)).toEqual([
      'Demo data: not loaded, there are events already',
      'ADMIN_EMAIL a@example.com ignored: staff users exist already',
      'Serving http://localhost:3000 (listening on [::1]:3000); API docs at http://localhost:3000/docs',
    ]);
    expect(startupLines(config, 'x', { demo: 'off', admin: 'unset', staffUsers: 0 }).slice(1, 3)).toEqual([
      'Demo data: not loaded (SEED_DEMO is off)',
      'No staff user yet: set ADMIN_EMAIL and ADMIN_PASSWORD to create the first admin',
    ]);
    expect(startupLines(config, 'x', { demo: 'off', admin: 'unset', staffUsers: 3 })).toHaveLength(3);
  });
});

describe('listenFailure', () => {
  const failure = (code: string) => listenFailure(Object.assign(new Error(`listen ${code}`), { code }), config);

  it('names what to change in one line', () => {
    expect(failure('EADDRINUSE')).toBe('Port 3000 is already in use on 0.0.0.0: stop what listens there, or set PORT');
    expect(failure('EACCES')).toMatch(/^Not allowed to listen on port 3000/);
    expect(failure('EADDRNOTAVAIL')).toBe('HOST 0.0.0.0 is not an address of this machine');
    expect(failure('EOTHER')).toBe('Cannot listen on 0.0.0.0:3000: listen EOTHER');
  });
});
