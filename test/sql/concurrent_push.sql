-- Two sessions push to one aggregate at the same time, each event in its own
-- transaction: sequences end gapless and every event is reduced.
CREATE EXTENSION dblink;
CREATE EXTENSION multitenant;
CREATE TABLE public.counters (
	instance_id text NOT NULL CHECK (instance_id <> ''),
	id text NOT NULL,
	creation_date timestamptz NOT NULL,
	change_date timestamptz NOT NULL,
	sequence bigint NOT NULL,
	resource_owner text NOT NULL,
	total bigint NOT NULL DEFAULT 0,
	PRIMARY KEY (instance_id, id)
);
SELECT multitenant.register_reducer('public.counters', 'counter.created', 'insert');
SELECT multitenant.register_reducer('public.counters', 'counter.incremented', 'update', set => '{"total": "t.total + 1"}');
-- Batches of five: a batch that loses a sequence to the other writer fails
-- with 40001 as a whole and, as a client would, is retried.
CREATE PROCEDURE public.increment_batches(n integer)
LANGUAGE plpgsql AS $$
DECLARE
	done integer := 0;
BEGIN
	WHILE done < n LOOP
		BEGIN
			PERFORM multitenant.push_many((SELECT jsonb_agg(jsonb_build_object(
				'aggregate_type', 'counter', 'aggregate_id', 'c1', 'event_type', 'counter.incremented',
				'instance_id', 'tenant-a')) FROM generate_series(1, 5)));
			done := done + 1;
		EXCEPTION WHEN serialization_failure THEN
			NULL;
		END;
		COMMIT;
	END LOOP;
END
$$;
CREATE PROCEDURE public.increment_many(n integer)
LANGUAGE plpgsql AS $$
BEGIN
	FOR i IN 1..n LOOP
		PERFORM multitenant.push('counter', 'c1', 'counter.incremented', instance_id => 'tenant-a');
		COMMIT;
	END LOOP;
END
$$;
SELECT sequence FROM multitenant.push('counter', 'c1', 'counter.created', instance_id => 'tenant-a');
SELECT format('dbname=%s host=%s port=%s user=%s', current_database(),
              current_setting('unix_socket_directories'), current_setting('port'), current_user) AS conninfo \gset
SELECT dblink_connect('writer1', :'conninfo');
SELECT dblink_connect('writer2', :'conninfo');
SELECT dblink_send_query('writer1', 'CALL public.increment_many(300)');
SELECT dblink_send_query('writer2', 'CALL public.increment_many(300)');
SELECT status FROM dblink_get_result('writer1') AS r(status text);
SELECT status FROM dblink_get_result('writer2') AS r(status text);
-- Drain both connections (an async query ends with an empty result).
SELECT count(*) FROM dblink_get_result('writer1') AS r(status text);
SELECT count(*) FROM dblink_get_result('writer2') AS r(status text);
SELECT count(*) AS events, min(sequence), max(sequence), count(DISTINCT sequence) AS distinct_sequences
  FROM multitenant.events WHERE aggregate_id = 'c1';
SELECT total, sequence FROM public.counters WHERE id = 'c1';
SELECT dblink_send_query('writer1', 'CALL public.increment_batches(100)');
SELECT dblink_send_query('writer2', 'CALL public.increment_many(200)');
SELECT status FROM dblink_get_result('writer1') AS r(status text);
SELECT status FROM dblink_get_result('writer2') AS r(status text);
SELECT count(*) FROM dblink_get_result('writer1') AS r(status text);
SELECT count(*) FROM dblink_get_result('writer2') AS r(status text);
SELECT count(*) AS events, min(sequence), max(sequence), count(DISTINCT sequence) AS distinct_sequences
  FROM multitenant.events WHERE aggregate_id = 'c1';
SELECT total, sequence FROM public.counters WHERE id = 'c1';
-- A stale expected_sequence from a concurrent writer is a serialization failure.
SELECT dblink_exec('writer1', 'BEGIN');
SELECT sequence FROM dblink('writer1', $$SELECT sequence FROM multitenant.push('counter', 'c1', 'counter.incremented', expected_sequence => 1301, instance_id => 'tenant-a')$$) AS r(sequence bigint);
SELECT dblink_send_query('writer2', $$SELECT sequence FROM multitenant.push('counter', 'c1', 'counter.incremented', expected_sequence => 1301, instance_id => 'tenant-a')$$);
SELECT pg_sleep(0.2);
SELECT dblink_exec('writer1', 'COMMIT');
\set VERBOSITY terse
SELECT sequence FROM dblink_get_result('writer2') AS r(sequence bigint);
\set VERBOSITY default
-- A reducer registered in one session runs in another that had already
-- compiled that event type's reducers; unregistering stops it there too.
CREATE TABLE public.counter_log (
	instance_id text NOT NULL CHECK (instance_id <> ''),
	id text NOT NULL,
	sequence bigint NOT NULL,
	PRIMARY KEY (instance_id, id, sequence)
);
SELECT multitenant.register_reducer('public.counter_log', 'counter.incremented', 'insert', match => '{"id": "e.aggregate_id", "sequence": "e.sequence"}');
SELECT sequence FROM dblink('writer1', $$SELECT sequence FROM multitenant.push('counter', 'c1', 'counter.incremented', instance_id => 'tenant-a')$$) AS r(sequence bigint);
SELECT id, sequence FROM public.counter_log;
SELECT multitenant.unregister_reducer('public.counter_log', 'counter.incremented');
SELECT sequence FROM dblink('writer1', $$SELECT sequence FROM multitenant.push('counter', 'c1', 'counter.incremented', instance_id => 'tenant-a')$$) AS r(sequence bigint);
SELECT id, sequence FROM public.counter_log;
SELECT dblink_disconnect('writer1');
SELECT dblink_disconnect('writer2');
SELECT total, sequence FROM public.counters WHERE id = 'c1';
DROP PROCEDURE public.increment_many(integer);
DROP PROCEDURE public.increment_batches(integer);
DROP TABLE public.counters;
DROP TABLE public.counter_log;
DROP EXTENSION multitenant;
DROP EXTENSION dblink;
