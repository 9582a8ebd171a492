import { plainToInstance, Transform } from 'class-transformer';
import {
  isEmail,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MinLength,
  Min,
  validateSync,
} from 'class-validator';
import { IsTrustProxy, parseTrustProxy, TrustProxy } from './trust-proxy';

const toBoolean = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return value;
};

const toInt = ({ value }: { value: unknown }): unknown => (typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value);

/** Every variable the service reads, validated once at boot (app and migration CLI alike). */
export class EnvVars {
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT?: number;

  @IsOptional()
  @Matches(/^(?:[0-9A-Fa-f:.]+|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)$/, { message: 'must be an IP address or a host name' })
  HOST?: string;

  @IsOptional()
  @IsUrl({ protocols: ['postgres', 'postgresql'], require_tld: false, require_protocol: true })
  DATABASE_URL?: string;

  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_tld: false, require_protocol: true })
  PUBLIC_BASE_URL?: string;

  @IsOptional()
  @IsEmail()
  ADMIN_EMAIL?: string;

  @IsOptional()
  @IsString()
  @MinLength(12)
  ADMIN_PASSWORD?: string;

  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  SEED_DEMO?: boolean;

  @IsOptional()
  @IsIn(['on', 'off'])
  RATE_LIMIT?: 'on' | 'off';

  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL?: string;

  @IsOptional()
  @IsString()
  DATA_DIR?: string;

  @IsOptional()
  @IsTrustProxy()
  TRUST_PROXY?: string;
  /** Comma-separated origins (`https://admin.example.com`) that may call staff routes from a browser. */
  @IsOptional()
  @IsString()
  CORS_ORIGINS?: string;

  /** Where mail goes: smtp://user:pass@host:587 (STARTTLS when offered) or smtps://host:465. */
  @IsOptional()
  @IsUrl({ protocols: ['smtp', 'smtps'], require_tld: false, require_protocol: true, require_valid_protocol: true })
  SMTP_URL?: string;

  @IsOptional()
  @IsString()
  MAIL_FROM?: string;

  /** `off`: this instance writes the outbox but never sends it (another instance, a dedicated sender, does). */
  @IsOptional()
  @IsIn(['on', 'off'])
  MAIL_DELIVERY?: 'on' | 'off';
}

/** Tuning of mail delivery that only tests change (not read from the environment). */
export interface MailTuning {
  /** How often each instance looks for due messages. */
  pollIntervalMs?: number;
  /** The first retry's delay; each further one doubles (with jitter). */
  backoffBaseMs?: number;
  /** How long a claimed message stays invisible to other instances while it is being sent. */
  leaseMs?: number;
}

export interface AppConfig {
  port: number;
  /** The address to listen on (HOST); every interface by default. */
  host: string;
  /** Unset: the embedded PostgreSQL is started and its URL filled in by the bootstrap. */
  databaseUrl?: string;
  publicBaseUrl: string;
  admin?: { email: string; password: string };
  seedDemo: boolean;
  rateLimit: boolean;
  logLevel: string;
  dataDir: string;
  /** Proxies whose X-Forwarded-For names the client; unset: the socket's address is the client. */
  trustProxy?: TrustProxy;
  /** Exact origins allowed to call staff routes from a browser; public routes allow any. */
  corsOrigins: string[];
  /** Unset: each message is written as an .eml file under `<dataDir>/mail/`. */
  smtpUrl?: string;
  /** The From of every message: `Name <address>` or an address. */
  mailFrom: string;
  /** Whether this instance delivers the outbox (MAIL_DELIVERY, on by default). */
  mailDelivery: boolean;
  mail?: MailTuning;
}

export class ConfigError extends Error {}

/** Each entry must be an origin as browsers send it (scheme, host, port; no path or slash), or it never matches. */
function parseCorsOrigins(value: string | undefined): string[] {
  const origins = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const origin of origins) {
    let canonical: string | undefined;
    try {
      canonical = new URL(origin).origin;
    } catch {
      canonical = undefined;
    }
    if (canonical !== origin || !/^https?:/.test(origin)) {
      throw new ConfigError(`Invalid configuration: CORS_ORIGINS entry "${origin}" is not an origin like https://admin.example.com`);
    }
  }
  return origins;
}

export const DEFAULT_MAIL_FROM = 'Eventline <no-reply@localhost>';

/** `Name <address>` or a bare address, with no line breaks (it becomes a header). */
function parseMailFrom(value: string | undefined): string {
  if (value === undefined) return DEFAULT_MAIL_FROM;
  const trimmed = value.trim();
  const match = /^(?:[^<>\r\n]*<([^<>\s]+)>|([^<>\s]+))$/.exec(trimmed);
  const address = match?.[1] ?? match?.[2];
  if (!address || !isEmail(address, { require_tld: false })) {
    throw new ConfigError('Invalid configuration: MAIL_FROM must be an address or "Name <address>"');
  }
  return trimmed;
}

const EMPTY_AS_UNSET = (env: NodeJS.ProcessEnv): Record<string, string> =>
  Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));

/** Parses and validates the environment; throws a ConfigError whose message names the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const vars = plainToInstance(EnvVars, EMPTY_AS_UNSET(env));
  const [first] = validateSync(vars, { skipMissingProperties: false });
  if (first) {
    const reason = Object.values(first.constraints ?? {})[0] ?? 'is invalid';
    throw new ConfigError(`Invalid configuration: ${first.property} ${reason.replace(`${first.property} `, '')}`);
  }
  if ((vars.ADMIN_EMAIL === undefined) !== (vars.ADMIN_PASSWORD === undefined)) {
    const missing = vars.ADMIN_EMAIL === undefined ? 'ADMIN_EMAIL' : 'ADMIN_PASSWORD';
    throw new ConfigError(`Invalid configuration: ${missing} must be set together with the other admin variable`);
  }
  const port = vars.PORT ?? 3000;
  return {
    port,
    host: vars.HOST ?? '0.0.0.0',
    databaseUrl: vars.DATABASE_URL,
    publicBaseUrl: (vars.PUBLIC_BASE_URL ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    admin: vars.ADMIN_EMAIL && vars.ADMIN_PASSWORD ? { email: vars.ADMIN_EMAIL, password: vars.ADMIN_PASSWORD } : undefined,
    seedDemo: vars.SEED_DEMO ?? vars.DATABASE_URL === undefined,
    rateLimit: vars.RATE_LIMIT !== 'off',
    logLevel: vars.LOG_LEVEL ?? 'info',
    dataDir: vars.DATA_DIR ?? '.data',
    trustProxy: vars.TRUST_PROXY === undefined ? undefined : parseTrustProxy(vars.TRUST_PROXY),
    corsOrigins: parseCorsOrigins(vars.CORS_ORIGINS),
    smtpUrl: vars.SMTP_URL,
    mailFrom: parseMailFrom(vars.MAIL_FROM),
    mailDelivery: vars.MAIL_DELIVERY !== 'off',
  };
}
