-- read_events reads up to the high-water mark: what is final now, never
-- waiting.  One tenant's open transaction holds up no other tenant's reads
-- or pushes, and a catch-up reader still never skips an event that commits
-- after a later-positioned one.
CREATE EXTENSION dblink;
CREATE EXTENSION multitenant;
CREATE ROLE mt_horizon_app LOGIN;
GRANT multitenant_app TO mt_horizon_app;
SELECT format('dbname=%s host=%s port=%s user=%s', current_database(),
              current_setting('unix_socket_directories'), current_setting('port'), current_user) AS conninfo \gset
SELECT dblink_connect('tenant_a', :'conninfo');
SELECT position AS first FROM multitenant.push('org', 'o1', 'org.added', '{"name": "B"}', instance_id => 'tenant-b') \gset

-- Tenant A pushes and leaves its transaction open.
SELECT dblink_exec('tenant_a', 'BEGIN');
SELECT position - :first AS a_position FROM dblink('tenant_a',
  $$SELECT position FROM multitenant.push('org', 'o1', 'org.added', '{"name": "A"}', instance_id => 'tenant-a')$$) AS r(position bigint);

-- Meanwhile everything else goes on at once (before 1.3 this read waited for
-- tenant A, and every push queued behind the waiting reader).
SET statement_timeout = '5s';
SELECT count(*) AS read_while_a_is_open FROM multitenant.read_events(0);
SELECT position - :first AS b_position FROM multitenant.push('org', 'o2', 'org.added', '{"name": "B2"}', instance_id => 'tenant-b');
-- An administrator reads every tenant: it gets what lies below tenant A's
-- open position now, and the rest once tenant A ends.
SELECT position - :first AS admin_reads FROM multitenant.read_events(0) ORDER BY position;
-- Tenant B's application (a login role of its own) reads its own events at
-- once, tenant A's open transaction notwithstanding.
SELECT dblink_connect('app_b', replace(:'conninfo', 'user=' || current_user, 'user=mt_horizon_app'));
SELECT dblink_exec('app_b', $$SET statement_timeout = '5s'$$);
SELECT dblink_exec('app_b', 'BEGIN');
SELECT * FROM dblink('app_b', $$SELECT current_user::text, multitenant.set_tenant('tenant-b', is_local => true)::text$$) AS r(role text, set_tenant text);
SELECT * FROM dblink('app_b', $$SELECT aggregate_id, payload->>'name' FROM multitenant.read_events(0) ORDER BY position$$) AS r(aggregate_id text, name text);
SELECT * FROM dblink('app_b', $$SELECT aggregate_id, sequence FROM multitenant.push('org', 'o3', 'org.added', '{"name": "B3"}')$$) AS r(aggregate_id text, sequence bigint);
-- Its own transaction's events are its own to read.
SELECT * FROM dblink('app_b', $$SELECT aggregate_id FROM multitenant.read_events(0) ORDER BY position$$) AS r(aggregate_id text);
SELECT dblink_exec('app_b', 'COMMIT');
SELECT dblink_disconnect('app_b');
SELECT position - :first AS admin_reads_before_a_ends FROM multitenant.read_events(0) ORDER BY position;
SELECT dblink_exec('tenant_a', 'COMMIT');
SELECT position - :first AS admin_reads_after_a FROM multitenant.read_events(0) ORDER BY position;
-- A snapshot taken before the read would miss events committing below it.
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) FROM multitenant.read_events(0);
ROLLBACK;
RESET statement_timeout;

-- Never skip: three writers commit in an order other than their positions'
-- (each holds its position a random moment before committing) while a
-- catch-up reader follows; it must see every event exactly once, in order.
CREATE TABLE public.seen (n bigserial PRIMARY KEY, position bigint NOT NULL);
CREATE PROCEDURE public.write_events(tenant text, n integer)
LANGUAGE plpgsql AS $$
BEGIN
	FOR i IN 1..n LOOP
		PERFORM multitenant.push('stress', tenant || '-' || (i % 7), 'stress.happened', instance_id => tenant);
		PERFORM pg_sleep(random() * 0.004);
		COMMIT;
	END LOOP;
END
$$;
CREATE PROCEDURE public.follow(start bigint)
LANGUAGE plpgsql AS $$
DECLARE
	after bigint := start;
	writing boolean;
	r record;
BEGIN
	LOOP
		writing := dblink_is_busy('w1') = 1 OR dblink_is_busy('w2') = 1 OR dblink_is_busy('w3') = 1;
		FOR r IN SELECT e.position FROM multitenant.read_events(after, 25) AS e LOOP
			INSERT INTO public.seen (position) VALUES (r.position);
			after := r.position;
		END LOOP;
		COMMIT;
		EXIT WHEN NOT writing AND NOT EXISTS (SELECT FROM multitenant.events AS e WHERE e.position > after);
	END LOOP;
END
$$;
SELECT max(position) AS start FROM multitenant.events \gset
SELECT dblink_connect('w1', :'conninfo');
SELECT dblink_connect('w2', :'conninfo');
SELECT dblink_connect('w3', :'conninfo');
SELECT dblink_send_query('w1', $$CALL public.write_events('t1', 150)$$);
SELECT dblink_send_query('w2', $$CALL public.write_events('t2', 150)$$);
SELECT dblink_send_query('w3', $$CALL public.write_events('t3', 150)$$);
CALL public.follow(:start);
SELECT status FROM dblink_get_result('w1') AS r(status text);
SELECT status FROM dblink_get_result('w2') AS r(status text);
SELECT status FROM dblink_get_result('w3') AS r(status text);
SELECT count(*) AS seen, count(DISTINCT position) AS distinct_positions,
       (SELECT count(*) FROM multitenant.events WHERE event_type = 'stress.happened') AS stored,
       bool_and(ordered) AS in_order
  FROM (SELECT position, position > lag(position, 1, 0::bigint) OVER (ORDER BY n) AS ordered FROM public.seen) AS s;
SELECT dblink_disconnect('w1');
SELECT dblink_disconnect('w2');
SELECT dblink_disconnect('w3');
SELECT dblink_disconnect('tenant_a');
DROP PROCEDURE public.follow(bigint);
DROP PROCEDURE public.write_events(text, integer);
DROP TABLE public.seen;
DROP EXTENSION multitenant;
DROP SCHEMA multitenant;
DROP ROLE mt_horizon_app;
DROP EXTENSION dblink;
