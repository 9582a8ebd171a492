/**
 * The Lua script wrk runs for one load. A fixed request is built once by wrk itself; with
 * templates, request() builds each request, replacing `{n}` with a name unique to the run
 * (`<tag>.<thread>.<counter>`), so every registration has a fresh email and, when asked, a fresh
 * Idempotency-Key, and `{i}` in the path with the request's number in the run (0, 1, 2, ...
 * across threads, nine digits), so every URL is new to a cache. response() counts statuses per
 * thread and done() prints one JSON line.
 */
export interface ScriptSpec {
  method: 'GET' | 'POST';
  /** Sent with every request. */
  headers: Record<string, string>;
  /** A fixed body. */
  body?: string;
  /** A body with `{n}` in it. */
  bodyTemplate?: string;
  /** Headers with `{n}` in their values. */
  headerTemplates?: Record<string, string>;
  /** A path with `{i}` in it. */
  pathTemplate?: string;
  /** wrk's threads: `{i}` interleaves their counters. */
  threads: number;
  /** Unique to this run: names never collide across rounds, variants or targets. */
  tag: string;
}

/** The line done() prints, followed by the JSON. */
export const RESULT_MARK = 'WRK_RESULT ';

export interface WrkResult {
  requests: number;
  durationUs: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  latencyUs: { p50: number; p99: number; mean: number; max: number };
  statuses: Record<string, number>;
}

/** A Lua string literal for any text (bytes as decimal escapes where needed). */
export function luaString(text: string): string {
  let out = '"';
  for (const byte of Buffer.from(text, 'utf8')) {
    if (byte === 0x22 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\${byte}`;
  }
  return `${out}"`;
}

/** `a{n}b` as the Lua expression `"a" .. n .. "b"` (likewise `{i}`). */
function template(text: string, name = 'n'): string {
  return text.split(`{${name}}`).map(luaString).join(` .. ${name} .. `);
}

export function wrkScript(spec: ScriptSpec): string {
  const dynamic = spec.bodyTemplate !== undefined || spec.pathTemplate !== undefined || Object.keys(spec.headerTemplates ?? {}).length > 0;
  const lines = [
    'local threads = {}',
    'statuses = {}',
    'tid = 0',
    'function setup(thread)',
    '  table.insert(threads, thread)',
    '  thread:set("tid", #threads)',
    'end',
    `wrk.method = ${luaString(spec.method)}`,
    ...Object.entries(spec.headers).map(([name, value]) => `wrk.headers[${luaString(name)}] = ${luaString(value)}`),
    ...(spec.body !== undefined ? [`wrk.body = ${luaString(spec.body)}`] : []),
  ];
  if (dynamic) {
    lines.push(
      'local counter = 0',
      'local headers = {}',
      'function request()',
      '  counter = counter + 1',
      `  local n = ${luaString(spec.tag)} .. "." .. tid .. "." .. counter`,
      `  local i = string.format("%09d", (counter - 1) * ${spec.threads} + tid - 1)`,
      // wrk.format() adds Host and Content-Length to the table it is given: one table per thread, reused.
      '  for k, v in pairs(wrk.headers) do headers[k] = v end',
      ...Object.entries(spec.headerTemplates ?? {}).map(([name, value]) => `  headers[${luaString(name)}] = ${template(value)}`),
      `  return wrk.format(nil, ${spec.pathTemplate !== undefined ? template(spec.pathTemplate, 'i') : 'nil'}, headers, ${spec.bodyTemplate !== undefined ? template(spec.bodyTemplate) : 'wrk.body'})`,
      'end',
    );
  }
  lines.push(
    'function response(status, headers, body)',
    '  statuses[status] = (statuses[status] or 0) + 1',
    'end',
    'function done(summary, latency, requests)',
    '  local counts = {}',
    '  for _, thread in ipairs(threads) do',
    '    for code, count in pairs(thread:get("statuses")) do counts[code] = (counts[code] or 0) + count end',
    '  end',
    '  local parts = {}',
    '  for code, count in pairs(counts) do table.insert(parts, string.format(\'"%d":%.0f\', code, count)) end',
    '  local e = summary.errors',
    '  io.write(string.format(' +
      luaString(
        `\n${RESULT_MARK}{"requests":%.0f,"durationUs":%.0f,"errors":{"connect":%.0f,"read":%.0f,"write":%.0f,"status":%.0f,"timeout":%.0f},` +
          `"latencyUs":{"p50":%.0f,"p99":%.0f,"mean":%.1f,"max":%.0f},"statuses":{%s}}\n`,
      ) +
      ',',
    '    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,',
    '    latency:percentile(50), latency:percentile(99), latency.mean, latency.max, table.concat(parts, ",")))',
    'end',
  );
  return `${lines.join('\n')}\n`;
}
