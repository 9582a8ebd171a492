import { isDeepStrictEqual } from 'node:util';
import type { JobSummary, VariantSummary } from '../lib/compare';
import { type BenchJob, type JobContext, loadVariant, type Variant } from '../lib/job';
import type { LoadSpec, Measurement } from '../lib/load';
import type { ServerProcess, TargetName } from '../lib/processes';
import { type Answer, normalizedAnswer } from '../lib/same-answer';
import { resetSession } from '../lib/seed';
import { spread } from '../lib/stats';

/**
 * Everyone registers for the same session (100,000 seats and a waitlist, so it never sells out):
 * every request takes the same row lock, so this measures how long each registration holds it.
 * Each request has a fresh email (and, keyed, a fresh Idempotency-Key) from wrk's script.
 */
const BODY = '{"name":"Bench Attendee","email":"r.{n}@bench.example.com"}';
const registrations = (ctx: JobContext, prefix = ''): string => `${prefix}/sessions/${ctx.data.hotSessionId}/registrations`;
const resetHot = (ctx: JobContext): Promise<void> => resetSession(ctx.db.pool, ctx.data.hotSessionId);

/** On the baseline the service is stopped meanwhile: its mail worker would deliver the baseline's outbox rows during the run. */
function registering(id: string, label: string, target: TargetName, spec: (ctx: JobContext) => LoadSpec): Variant {
  return loadVariant({ id, label, target, beforeRun: resetHot, stopsOthers: target === 'baseline', spec });
}

const unkeyed =
  (prefix = '') =>
  (ctx: JobContext): LoadSpec => ({ method: 'POST', path: registrations(ctx, prefix), bodyTemplate: BODY, expect: [201] });
const keyed = (ctx: JobContext): LoadSpec => ({ ...unkeyed()(ctx), headerTemplates: { 'Idempotency-Key': 'k.{n}' } });

/** The references must take a place and refuse a second one for the same email, or they skip work. */
function refusesTwins(prefix: string): Variant['check'] {
  return async (ctx, target) => {
    await resetHot(ctx);
    const post = (): Promise<Response> =>
      fetch(`${target.url}${registrations(ctx, prefix)}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: TWIN });
    const [first, twin] = [await post(), await post()];
    return first.status === 201 && twin.status === 409 ? null : `answered ${first.status} then ${twin.status} to a twin (want 201, 409)`;
  };
}
const TWIN = JSON.stringify({ name: 'Twin Attendee', email: 'twin@bench.example.com' });

export const hotRegistration: BenchJob = {
  id: 'hot-registration',
  title: 'POST /sessions/:id/registrations, one hot session',
  kind: 'throughput',
  variants: [
    registering('service', 'service', 'service', unkeyed()),
    registering('baseline', 'baseline (same answer, batched)', 'baseline', unkeyed()),
    {
      ...registering('raw-transaction', 'raw transaction', 'baseline', unkeyed('/raw/transaction')),
      check: refusesTwins('/raw/transaction'),
    },
    {
      ...registering('raw-statement', 'raw single statement', 'baseline', unkeyed('/raw/statement')),
      check: refusesTwins('/raw/statement'),
    },
    {
      ...registering('raw-batch', 'raw batched statement', 'baseline', unkeyed('/raw/batch')),
      check: refusesTwins('/raw/batch'),
    },
  ],
  ratios: [
    { of: 'service', to: 'baseline', label: 'service / baseline (same answer)' },
    { of: 'service', to: 'raw-batch', label: 'service / raw batched statement' },
    { of: 'service', to: 'raw-transaction', label: 'service / raw transaction', goal: 0.8 },
    { of: 'service', to: 'raw-statement', label: 'service / raw single statement' },
    { of: 'raw-statement', to: 'raw-transaction', label: 'raw single statement / raw transaction' },
    { of: 'raw-batch', to: 'raw-statement', label: 'raw batched / raw single statement' },
  ],
  differingAnswer: (ctx, targets) => differingRegistration(ctx, targets, undefined),
};

const WITH_MAIL = '/raw/batch';
const WITHOUT_MAIL = '/raw/batch-without-mail';

/**
 * What the outbox row costs a registration: the raw batched statement (the service's path) with
 * its mail rows (the rows the service writes) and without them, in the same rounds as the
 * service, alternating order. The difference is the row's cost on the shortest path; against the
 * service's own time and CPU per registration it is the share of registering that the outbox takes.
 */
export const outboxCost: BenchJob = {
  id: 'outbox-cost',
  title: "the outbox row's cost: the batched registration statement with and without its mail rows",
  kind: 'throughput',
  mirrored: true,
  variants: [
    { ...registering('with-mail', 'raw batch with its mail rows', 'baseline', unkeyed(WITH_MAIL)), check: writesMail(WITH_MAIL, 1) },
    { ...registering('without-mail', 'raw batch without them', 'baseline', unkeyed(WITHOUT_MAIL)), check: writesMail(WITHOUT_MAIL, 0) },
    registering('service', 'service', 'service', unkeyed()),
  ],
  ratios: [{ of: 'with-mail', to: 'without-mail', label: 'raw batch with / without the mail rows (1 - this = their share)' }],
  differingAnswer: differingMailRow,
  notes: outboxCostNotes,
};

/** The reference must refuse twins like the others, and write `rows` mail rows for one registration, each naming its request. */
function writesMail(prefix: string, rows: number): Variant['check'] {
  const twins = refusesTwins(prefix);
  return async (ctx, target) => {
    const refused = await twins?.(ctx, target);
    if (refused) return refused;
    const mail = await mailRowsOfHotSession(ctx);
    const named = mail.filter((m) => m.request_id !== null).length;
    return mail.length === rows && named === rows
      ? null
      : `wrote ${mail.length} mail rows (${named} naming a request) for one registration, want ${rows}`;
  };
}

interface MailRow {
  kind: string;
  details: unknown;
  request_id: string | null;
}

async function mailRowsOfHotSession(ctx: JobContext): Promise<MailRow[]> {
  const { rows } = await ctx.db.pool.query<MailRow>(
    'SELECT m.kind, m.details, m.request_id FROM mail_outbox m JOIN registrations r ON r.id = m.registration_id WHERE r.session_id = $1',
    [ctx.data.hotSessionId],
  );
  return rows;
}

const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The raw batch's mail row must hold what the service's holds (kind, details, a request id of the same form). */
async function differingMailRow(ctx: JobContext, targets: ServerProcess[]): Promise<string | null> {
  const written: string[] = [];
  for (const t of targets) {
    await resetHot(ctx);
    const res = await fetch(`${t.url}${registrations(ctx, t.name === 'baseline' ? WITH_MAIL : '')}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: TWIN,
    });
    await res.arrayBuffer();
    const rows = (await mailRowsOfHotSession(ctx)).map((m) => ({
      ...m,
      request_id: UUID_TEXT.test(m.request_id ?? '') ? 'UUID' : m.request_id,
    }));
    written.push(`${t.name}: ${res.status} ${JSON.stringify(rows)}`);
  }
  await resetHot(ctx);
  const [first, ...rest] = written.map((w) => w.slice(w.indexOf(':')));
  return rest.every((w) => w === first) ? null : `the mail rows differ:\n${written.join('\n')}`;
}

/**
 * Per round: the mail row's time (1/with − 1/without rate) and PostgreSQL CPU (with − without,
 * per request) on the raw batch, and each as a share of the service's time and CPU (node +
 * pg, its deferred mail delivery included) per registration in the same round.
 */
function outboxCostNotes(job: JobSummary): string[] {
  const variant = (id: string): VariantSummary | undefined => job.variants.find((v) => v.id === id);
  const [withMail, withoutMail, service] = [variant('with-mail'), variant('without-mail'), variant('service')];
  if (!withMail || !withoutMail || !service || [withMail, withoutMail, service].some((v) => v.invalid)) return [];
  const time = (m: Measurement): number => 1000 / m.rps;
  const cpu = (m: Measurement, part: 'server' | 'postgres'): number => ((m.cpu?.[part] ?? Number.NaN) * 1000) / m.requests;
  const per: Record<'time' | 'timeShare' | 'pg' | 'pgShare' | 'node' | 'serviceTime' | 'serviceCpu', number[]> = {
    time: [],
    timeShare: [],
    pg: [],
    pgShare: [],
    node: [],
    serviceTime: [],
    serviceCpu: [],
  };
  withMail.rounds.forEach((w, i) => {
    const [wo, s] = [withoutMail.rounds[i], service.rounds[i]];
    if (!w || !wo || !s) return;
    const serviceCpu = cpu(s, 'server') + cpu(s, 'postgres');
    per.time.push(time(w) - time(wo));
    per.timeShare.push((time(w) - time(wo)) / time(s));
    per.pg.push(cpu(w, 'postgres') - cpu(wo, 'postgres'));
    per.pgShare.push((cpu(w, 'postgres') - cpu(wo, 'postgres')) / serviceCpu);
    per.node.push(cpu(w, 'server') - cpu(wo, 'server'));
    per.serviceTime.push(time(s));
    per.serviceCpu.push(serviceCpu);
  });
  const at = (values: number[], digits: number, scale = 1): string => {
    const s = spread(values.map((v) => v * scale));
    return `${s.median.toFixed(digits)} (${s.min.toFixed(digits)} to ${s.max.toFixed(digits)})`;
  };
  return [
    `the mail row per registration, median (min to max) of ${per.time.length} rounds:`,
    `  time, 1/with - 1/without: ${at(per.time, 3)} ms = ${at(per.timeShare, 1, 100)} % of the service's ${at(per.serviceTime, 3)} ms`,
    `  PostgreSQL CPU, with - without: ${at(per.pg, 3)} ms = ${at(per.pgShare, 1, 100)} % of the service's CPU (node + pg) ${at(per.serviceCpu, 3)} ms`,
    `  node CPU, with - without: ${at(per.node, 3)} ms`,
  ];
}

/** The same with a fresh Idempotency-Key per request, and unkeyed in the same rounds: 1 - keyed / unkeyed is what keys cost. */
export const keyedRegistration: BenchJob = {
  id: 'keyed-registration',
  title: 'POST registration with a fresh Idempotency-Key, one hot session',
  kind: 'throughput',
  variants: [
    registering('service', 'service, keyed', 'service', keyed),
    registering('baseline', 'baseline, keyed (same answer)', 'baseline', keyed),
    registering('service-unkeyed', 'service, no key', 'service', unkeyed()),
    registering('baseline-unkeyed', 'baseline, no key', 'baseline', unkeyed()),
  ],
  ratios: [
    { of: 'service', to: 'baseline', label: 'service / baseline, keyed (same answer)' },
    { of: 'service', to: 'service-unkeyed', label: 'service keyed / unkeyed (1 - this = key cost)' },
    { of: 'baseline', to: 'baseline-unkeyed', label: 'baseline keyed / unkeyed (1 - this = key cost)' },
  ],
  differingAnswer: (ctx, targets) => differingRegistration(ctx, targets, 'same-answer-key'),
};

const REPLAY_KEY = 'bench-replay-key';
const REPLAY_BODY = JSON.stringify({ name: 'Replay Attendee', email: 'replay@bench.example.com' });

/** A client retrying one registration: the same key and body, answered from the stored (encrypted) first answer. */
async function firstRegistration(ctx: JobContext, target: ServerProcess): Promise<void> {
  await resetHot(ctx);
  const first = await fetch(`${target.url}${registrations(ctx)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': REPLAY_KEY },
    body: REPLAY_BODY,
  });
  await first.arrayBuffer();
  if (first.status !== 201) throw new Error(`${target.name}: the first registration answered ${first.status}`);
}

const replay = (ctx: JobContext): LoadSpec => ({
  method: 'POST',
  path: registrations(ctx),
  headers: { 'Idempotency-Key': REPLAY_KEY },
  body: REPLAY_BODY,
  expect: [201],
});

export const idempotentReplay: BenchJob = {
  id: 'idempotent-replay',
  title: 'POST registration, replayed Idempotency-Key',
  kind: 'throughput',
  variants: [
    loadVariant({ id: 'service', label: 'service', target: 'service', beforeRun: firstRegistration, spec: replay }),
    loadVariant({ id: 'baseline', label: 'baseline (same answer)', target: 'baseline', beforeRun: firstRegistration, spec: replay }),
  ],
  ratios: [{ of: 'service', to: 'baseline', label: 'service / baseline (same answer)' }],
  differingAnswer: (ctx, targets) => differingRegistration(ctx, targets, 'same-answer-replay'),
};

/**
 * Registers the same person on each target (the hot session emptied before each), then the same
 * email again, and with a key the same request once more: the answers must match across targets
 * (ids, tokens and instants aside), and a replay must repeat its first answer byte for byte.
 */
async function differingRegistration(ctx: JobContext, targets: ServerProcess[], key: string | undefined): Promise<string | null> {
  const answers: Answer[][] = [];
  for (const t of targets) {
    await resetHot(ctx);
    const post = async (headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> => {
      const res = await fetch(`${t.url}${registrations(ctx)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
      return { status: res.status, text: await res.text() };
    };
    const keyHeader: Record<string, string> = key ? { 'idempotency-key': key } : {};
    const first = await post(keyHeader, REPLAY_BODY);
    const twin = await post({}, REPLAY_BODY);
    if (key) {
      const again = await post(keyHeader, REPLAY_BODY);
      if (again.status !== first.status || again.text !== first.text) return `${t.name}'s replay differs from its first answer`;
    }
    let created: { id?: string; manageToken?: string; createdAt?: string } = {};
    try {
      created = JSON.parse(first.text) as typeof created;
    } catch {
      return `${t.name} answered ${first.status} with no JSON`;
    }
    const unique = { [created.id ?? '']: 'ID', [created.manageToken ?? '']: 'TOKEN', [created.createdAt ?? '']: 'CREATED' };
    const host = new URL(t.url).host;
    answers.push([normalizedAnswer(first, host, unique), normalizedAnswer(twin, host, unique)]);
  }
  await resetHot(ctx);
  for (let i = 1; i < answers.length; i++) {
    if (!isDeepStrictEqual(answers[0], answers[i])) {
      return `${targets[0].name} and ${targets[i].name} register differently:\n${JSON.stringify(answers[0]).slice(0, 1500)}\n${JSON.stringify(answers[i]).slice(0, 1500)}`;
    }
  }
  return null;
}
