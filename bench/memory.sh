#!/usr/bin/env bash
# bench/memory.sh (`make bench-memory`): does a backend's memory grow with the
# number of events it pushes?  One session pushes BENCH_EVENTS (default
# 1,000,000) events one per call (push), then as many again in batches of 100
# (push_many: half as an array of objects, half as one JSON array), each
# event reduced into a projection, committing every 1,000 events.  Before and
# after each part it reads its own memory: the sum of
# pg_backend_memory_contexts, and RssAnon (private memory) from
# /proc/self/status.  Target: less than 10 MB of growth for each part.
#
# Environment: BENCH_EVENTS, BENCH_NO_BUILD=1, MT_KEEP_CLUSTER=1.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=bench/common.sh
source bench/common.sh
EVENTS=${BENCH_EVENTS:-1000000}
bench_build
export MT_CLUSTER_CONF="max_connections = 20
synchronous_commit = off
max_wal_size = '16GB'
checkpoint_timeout = '1h'"
bench_cluster_start

"${PSQL[@]}" -At -F '|' -v events="$EVENTS" <<'SQL' | tee "$BENCH_RESULTS/memory.raw"
\set QUIET on
CREATE EXTENSION multitenant;
CREATE SCHEMA mem;
CREATE TABLE mem.users (
	instance_id    text        NOT NULL,
	id             text        NOT NULL,
	creation_date  timestamptz NOT NULL,
	change_date    timestamptz NOT NULL,
	sequence       bigint      NOT NULL,
	resource_owner text        NOT NULL,
	username       text,
	PRIMARY KEY (instance_id, id)
);
SELECT count(*) FROM (SELECT multitenant.register_reducer('mem.users', 'user.human.added', 'insert',
	set => '{"username": "multitenant.payload_text(e.payload, ''userName'')"}')) AS r \g /dev/null

-- n events from id `first` on: one push each ('single'), or push_many of 100
-- as an array of objects ('array') or as one JSON array ('json').
CREATE PROCEDURE mem.pushes(form text, first bigint, n bigint)
LANGUAGE plpgsql AS $$
DECLARE
	i bigint := first;
	events jsonb[];
BEGIN
	WHILE i < first + n LOOP
		IF form = 'single' THEN
			PERFORM multitenant.push('user', 'u' || i, 'user.human.added',
			                         jsonb_build_object('userName', 'user' || i), instance_id => 'mem');
			i := i + 1;
		ELSE
			SELECT array_agg(jsonb_build_object('aggregate_type', 'user', 'aggregate_id', 'u' || (i + g),
			                                    'event_type', 'user.human.added', 'instance_id', 'mem',
			                                    'expected_sequence', 0,
			                                    'payload', jsonb_build_object('userName', 'user' || (i + g))))
			  INTO events FROM generate_series(0, 99) AS g;
			IF form = 'array' THEN
				PERFORM multitenant.push_many(VARIADIC events);
			ELSE
				PERFORM multitenant.push_many(to_jsonb(events));
			END IF;
			i := i + 100;
		END IF;
		IF (i - first) % 1000 = 0 THEN
			COMMIT;
		END IF;
	END LOOP;
	COMMIT;
END
$$;

CREATE VIEW mem.usage AS
SELECT (SELECT sum(c.total_bytes) FROM pg_backend_memory_contexts AS c) AS context_bytes,
       (regexp_match(pg_read_file('/proc/self/status'), 'RssAnon:\s+(\d+)'))[1]::bigint * 1024 AS rss_anon_bytes;

-- Warm up every cache (plans, reducers, relcache) first.
CALL mem.pushes('single', 0, 10000);
CALL mem.pushes('array', 10000, 10000);
CALL mem.pushes('json', 20000, 10000);
SELECT 'warm', u.* FROM mem.usage AS u;
SELECT 100000 AS base \gset
CALL mem.pushes('single', :base, :events);
SELECT 'single', u.* FROM mem.usage AS u;
SELECT :base + :events AS base \gset
CALL mem.pushes('array', :base, :events / 2);
SELECT :base + :events / 2 AS base \gset
CALL mem.pushes('json', :base, :events / 2);
SELECT 'batched', u.* FROM mem.usage AS u;
SELECT 'events', count(*), (SELECT count(*) FROM mem.users) FROM multitenant.events;
SQL

awk -F'|' '
  $1 == "warm" { c0 = $2; r0 = $3 }
  $1 == "single" { c1 = $2; r1 = $3 }
  $1 == "batched" { c2 = $2; r2 = $3 }
  $1 == "events" { ev = $2; rows = $3 }
  END {
    printf "| part | memory contexts, growth | RssAnon, growth |\n|---|---:|---:|\n"
    printf "| %d single pushes | %.2f MB | %.2f MB |\n", (ev - 30000) / 2, (c1 - c0) / 1048576, (r1 - r0) / 1048576
    printf "| as many in push_many of 100 | %.2f MB | %.2f MB |\n", (c2 - c1) / 1048576, (r2 - r1) / 1048576
    printf "\n%d events stored, %d projection rows; after warm-up: contexts %.1f MB, RssAnon %.1f MB.\n", ev, rows, c0 / 1048576, r0 / 1048576
  }' "$BENCH_RESULTS/memory.raw" | tee "$BENCH_RESULTS/memory.md"
