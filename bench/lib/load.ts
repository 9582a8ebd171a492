import autocannon from 'autocannon';

/** One measured run against one target. */
export interface Measurement {
  /** Responses completed per second over the run (requests still in flight at the end are not counted). */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Responses whose status was not one the job expects (each one is a bug or a misconfiguration). */
  unexpected: number;
  /** Connection errors and timeouts. */
  errors: number;
  statuses: Record<string, number>;
  /** Anything else worth a line in the log (e.g. a broken invariant). */
  notes?: string[];
  /**
   * A reference load run on the same target right after this one (see `paired`): the job's
   * claim is about rps / reference.rps, which is only steady when both run side by side.
   */
  reference?: { title: string; rps: number };
}

export interface LoadSpec {
  method?: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  /** A fixed body, or one built for every request (unique emails, keys...). */
  body?: string | (() => string);
  /** Headers built for every request (e.g. a fresh Idempotency-Key), added to `headers`. */
  perRequestHeaders?: () => Record<string, string>;
  /** Statuses that count as success for this job. */
  expect: number[];
}

export interface LoadOptions {
  /** Concurrent connections (keep-alive); each has one request in flight. */
  connections: number;
  /** Seconds. */
  duration: number;
}

/** Runs autocannon in this process against `baseUrl` and reduces its result to a Measurement. */
export async function runLoad(baseUrl: string, spec: LoadSpec, opts: LoadOptions): Promise<Measurement> {
  const { body } = spec;
  const headers = { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...spec.headers };
  const request: autocannon.RequestSpec = { method: spec.method ?? 'GET', path: spec.path, headers };
  if (typeof body === 'string') request.body = body;
  const { perRequestHeaders } = spec;
  if (typeof body === 'function' || perRequestHeaders) {
    request.setupRequest = (req) => ({
      ...req,
      ...(typeof body === 'function' ? { body: body() } : {}),
      ...(perRequestHeaders ? { headers: { ...headers, ...perRequestHeaders() } } : {}),
    });
  }
  const result = await autocannon({
    url: baseUrl,
    connections: opts.connections,
    duration: opts.duration,
    timeout: 20,
    requests: [request],
  });
  const statuses: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = Number(count);
  const expected = new Set(spec.expect.map(String));
  const unexpected = Object.entries(statuses).reduce((n, [code, count]) => (expected.has(code) ? n : n + count), 0);
  return {
    rps: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    unexpected,
    errors: result.errors + result.timeouts,
    statuses,
  };
}

/**
 * Runs `main`, lets the target settle, then runs `reference` for as long, on the same target:
 * a ratio of two routes measured minutes apart on a shared machine is mostly noise.
 */
export async function paired(
  target: { settle(): Promise<void> },
  main: () => Promise<Measurement>,
  reference: { title: string; run: () => Promise<Measurement> },
): Promise<Measurement> {
  const measured = await main();
  await target.settle();
  const ref = await reference.run();
  return { ...measured, reference: { title: reference.title, rps: ref.rps } };
}
