#!/usr/bin/env bash
# What the outbox row costs the registration statement inside PostgreSQL alone, and which of its
# parts: pgbench (compiled, prepared statements) runs the raw registration statement on one hot
# session without the row, with it (as built), with it in its schema before 2026-11-28 (a key of
# its own, a foreign key, a staff index), and with only its heap and primary key, alternating, on a scratch database built by the real migrations with 50,000 registrations
# of another session (so plans are those of a table in use). Prints transactions per second and
# each variant's ratio to "without".
#   npm run build && bash bench/probes/outbox-row.sh [postgres-url-of-an-admin-database]
set -euo pipefail
cd "$(dirname "$0")/../.."
ADMIN_URL="${1:-postgres://postgres@127.0.0.1:5432/postgres}"
DB=eventline_probe_outbox
URL="${ADMIN_URL%/*}/$DB"
ROUNDS="${ROUNDS:-3}"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-8}"
HOT=22222222-2222-4222-8222-222222222222
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"; psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true' EXIT

q() { psql -qX -v ON_ERROR_STOP=1 "$URL" "$@" >/dev/null 2>&1; }
psql -qX "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null 2>&1
DATABASE_URL="$URL" node dist/src/cli.js migration:run >/dev/null
q <<SQL
INSERT INTO events (id, title, slug, timezone, status) VALUES
  ('11111111-1111-4111-8111-111111111111', 'Hot', 'hot', 'UTC', 'published'),
  ('33333333-3333-4333-8333-333333333333', 'Old', 'old', 'UTC', 'draft');
INSERT INTO sessions (id, event_id, starts_at, ends_at, timezone, capacity, waitlist_enabled) VALUES
  ('$HOT', '11111111-1111-4111-8111-111111111111', now() + interval '30 days', now() + interval '30 days 2 hours', 'UTC', 1000000, true),
  ('44444444-4444-4444-8444-444444444444', '33333333-3333-4333-8333-333333333333', now() + interval '30 days', now() + interval '30 days 2 hours', 'UTC', 100000, true);
INSERT INTO registrations (session_id, name, email, status, manage_token_hash)
  SELECT '44444444-4444-4444-8444-444444444444', 'Old', 'old' || g || '@example.com', 'confirmed', sha256(g::text::bytea) FROM generate_series(1, 50000) g;
INSERT INTO mail_outbox (registration_id, kind, status) SELECT id, 'confirmed', 'sent' FROM registrations;
VACUUM ANALYZE;
SQL

# The baseline's raw statement (bench/baseline/raw-registrations.ts): place, register, and the mail row.
PLACE="WITH locked AS (
  SELECT s.id, s.capacity IS NULL OR s.confirmed_count < s.capacity AS seat, s.waitlist_enabled
    FROM sessions s JOIN events e ON e.id = s.event_id WHERE s.id = '$HOT' FOR UPDATE OF s
), placed AS (
  UPDATE sessions s SET confirmed_count = s.confirmed_count + l.seat::int, waitlisted_count = s.waitlisted_count + (NOT l.seat)::int
    FROM locked l WHERE s.id = l.id AND (l.seat OR l.waitlist_enabled)
  RETURNING (CASE WHEN l.seat THEN 'confirmed' ELSE 'waitlisted' END)::varchar AS placed, s.id
), registered AS (
  INSERT INTO registrations (session_id, name, email, status, manage_token_hash)
  SELECT id, 'Probe Attendee', gen_random_uuid()::text || '@example.com', placed, sha256(gen_random_uuid()::text::bytea) FROM placed
  RETURNING id, status
)"
echo "$PLACE SELECT id, status FROM registered;" | tr '\n' ' ' >"$WORK/without.sql"
echo "$PLACE, mailed AS (INSERT INTO mail_outbox (registration_id, kind, request_id) SELECT id, status, gen_random_uuid()::text FROM registered)
SELECT id, status FROM registered;" | tr '\n' ' ' >"$WORK/with.sql"

BEFORE="ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_pkey, ADD CONSTRAINT mail_outbox_pkey PRIMARY KEY (id);
CREATE INDEX mail_outbox_registration_idx ON mail_outbox (registration_id, created_at, id);
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_registration_id_fkey FOREIGN KEY (registration_id) REFERENCES registrations (id) ON DELETE CASCADE;"
DUE="CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at) WHERE status = 'pending'"
schema() {
  q -c "ALTER TABLE mail_outbox DROP CONSTRAINT IF EXISTS mail_outbox_registration_id_fkey" \
    -c "DROP INDEX IF EXISTS mail_outbox_due_idx" -c "DROP INDEX IF EXISTS mail_outbox_registration_idx" \
    -c "ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_pkey, ADD CONSTRAINT mail_outbox_pkey PRIMARY KEY (registration_id, id)"
  case "$1" in
    full) q -c "$DUE" ;;
    before) q -c "$DUE" && q -c "$BEFORE" ;;
    heap-and-key) ;;
  esac
}
run() { # variant schema script clients
  schema "$2"
  q -c "DELETE FROM mail_outbox m USING registrations r WHERE r.id = m.registration_id AND r.session_id = '$HOT'" \
    -c "DELETE FROM registrations WHERE session_id = '$HOT'" -c "UPDATE sessions SET confirmed_count = 0, waitlisted_count = 0 WHERE id = '$HOT'" \
    -c "VACUUM ANALYZE registrations, mail_outbox, sessions"
  local tps
  tps=$(pgbench -n -M prepared -c "$4" -j 2 -T "$SECONDS_PER_RUN" -f "$WORK/$3.sql" "$URL" 2>&1 | awk '/^tps/ {print $3}')
  echo "$4 $1 $tps" | tee -a "$WORK/results"
}

for clients in 1 16; do
  for round in $(seq "$ROUNDS"); do
    order=(without with before heap-and-key)
    [ $((round % 2)) -eq 0 ] && order=(heap-and-key before with without)
    for v in "${order[@]}"; do
      case "$v" in
        without) run without full without "$clients" ;;
        with) run with full with "$clients" ;;
        *) run "$v" "$v" with "$clients" ;;
      esac
    done
  done
done

echo
echo "clients variant median-tps ratio-to-without"
sort -k1,1n -k2,2 -k3,3g "$WORK/results" | awk '
  { key = $1 " " $2; v[key, ++n[key]] = $3; keys[key] = 1 }
  END {
    for (k in keys) { m = v[k, int((n[k] + 1) / 2)]; med[k] = m }
    for (k in keys) { split(k, p, " "); printf "%s %s %.0f %.2f\n", p[1], p[2], med[k], med[k] / med[p[1] " without"] }
  }' | sort -k1,1n -k4,4gr
