import { isDeepStrictEqual } from 'node:util';
import { type BenchJob, type JobContext, loadVariant, type Variant } from '../lib/job';
import type { LoadSpec } from '../lib/load';
import type { ServerProcess, TargetName } from '../lib/processes';
import { type Answer, normalizedAnswer } from '../lib/same-answer';
import { resetSession } from '../lib/seed';

/**
 * Everyone registers for the same session (100,000 seats and a waitlist, so it never sells out):
 * every request takes the same row lock, so this measures how long each registration holds it.
 * Each request has a fresh email (and, keyed, a fresh Idempotency-Key) from wrk's script.
 */
const BODY = '{"name":"Bench Attendee","email":"r.{n}@bench.example.com"}';
const registrations = (ctx: JobContext, prefix = ''): string => `${prefix}/sessions/${ctx.data.hotSessionId}/registrations`;
const resetHot = (ctx: JobContext): Promise<void> => resetSession(ctx.db.pool, ctx.data.hotSessionId);

function registering(id: string, label: string, target: TargetName, spec: (ctx: JobContext) => LoadSpec): Variant {
  return loadVariant({ id, label, target, beforeRun: resetHot, spec });
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
    registering('baseline', 'baseline (same answer, one statement)', 'baseline', unkeyed()),
    {
      ...registering('raw-transaction', 'raw transaction', 'baseline', unkeyed('/raw/transaction')),
      check: refusesTwins('/raw/transaction'),
    },
    {
      ...registering('raw-statement', 'raw single statement', 'baseline', unkeyed('/raw/statement')),
      check: refusesTwins('/raw/statement'),
    },
  ],
  ratios: [
    { of: 'service', to: 'baseline', label: 'service / baseline (same answer)' },
    { of: 'service', to: 'raw-transaction', label: 'service / raw transaction', goal: 0.8 },
    { of: 'service', to: 'raw-statement', label: 'service / raw single statement' },
    { of: 'raw-statement', to: 'raw-transaction', label: 'raw single statement / raw transaction' },
  ],
  differingAnswer: (ctx, targets) => differingRegistration(ctx, targets, undefined),
};

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
