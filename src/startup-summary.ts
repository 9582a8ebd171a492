import type { AppConfig } from './config/env.schema';
import type { Prepared } from './startup-seed';

/** The lines a person reads after `npm start`: which database, demo data, the admin, the URL. */
export function startupLines(
  config: Pick<AppConfig, 'host' | 'port' | 'publicBaseUrl' | 'admin'>,
  database: string,
  prepared: Prepared,
): string[] {
  const demo = {
    loaded: 'Demo data: loaded the TBJ demo events',
    present: 'Demo data: not loaded, there are events already',
    off: 'Demo data: not loaded (SEED_DEMO is off)',
  }[prepared.demo];
  const admin = {
    created: `Admin ${config.admin?.email} created`,
    ignored: `ADMIN_EMAIL ${config.admin?.email} ignored: staff users exist already`,
    unset: prepared.staffUsers === 0 ? 'No staff user yet: set ADMIN_EMAIL and ADMIN_PASSWORD to create the first admin' : undefined,
  }[prepared.admin];
  const serving = `Serving ${config.publicBaseUrl} (listening on ${address(config)}); API docs at ${config.publicBaseUrl}/docs`;
  return [database, demo, ...(admin ? [admin] : []), serving];
}

/** One line for a failed listen, naming the variable to change. */
export function listenFailure(error: unknown, config: Pick<AppConfig, 'host' | 'port'>): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return `Port ${config.port} is already in use on ${config.host}: stop what listens there, or set PORT`;
  if (code === 'EACCES') return `Not allowed to listen on port ${config.port}: set PORT to 1024 or above, or grant the right to bind it`;
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return `HOST ${config.host} is not an address of this machine`;
  return `Cannot listen on ${address(config)}: ${error instanceof Error ? error.message : String(error)}`;
}

function address(config: Pick<AppConfig, 'host' | 'port'>): string {
  return `${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
}
