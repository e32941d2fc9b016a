-- The invariant under concurrency: in each of 100 tenants with exactly two
-- verified owners, two sessions of a real login role (each acting as one of
-- the owners) leave at the same time.  Exactly one may leave; the other is
-- refused with the invariant's 23514 (not a serialization failure to
-- retry), and no tenant is left without a verified owner.
CREATE EXTENSION dblink;
CREATE EXTENSION multitenant;
CREATE ROLE mt_race_app LOGIN;
GRANT multitenant_app TO mt_race_app;
SELECT format('dbname=%s host=%s port=%s user=mt_race_app', current_database(),
              current_setting('unix_socket_directories'), current_setting('port')) AS conninfo \gset
\set ECHO none
\o /dev/null
DO $setup$
BEGIN
	FOR i IN 1..100 LOOP
		PERFORM multitenant.register_tenant('race-' || i, 'Race ' || i, owner_id => 'ra-' || i, owner_email => 'ra-' || i || '@example.com');
		PERFORM multitenant.create_principal('user', 'rb-' || i || '@example.com', id => 'rb-' || i);
		PERFORM multitenant.verify_principal('rb-' || i);
		PERFORM multitenant.add_member('rb-' || i, 'owner', 'race-' || i);
	END LOOP;
END
$setup$;
-- One statement, one transaction: leave, then hold the tenant a moment
-- longer so that the other session's call overlaps; report the SQLSTATE.
CREATE FUNCTION public.leave(tenant text, actor text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	PERFORM multitenant.set_tenant(tenant, is_local => true);
	PERFORM set_config('multitenant.actor', actor, true);
	PERFORM multitenant.remove_member(actor);
	PERFORM pg_sleep(0.02);
	RETURN 'left';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE;
END $$;
GRANT EXECUTE ON FUNCTION public.leave(text, text) TO mt_race_app;
CREATE TABLE public.outcomes (round integer, first text, second text);
\o
\set ECHO all
SELECT dblink_connect('one', :'conninfo');
SELECT dblink_connect('two', :'conninfo');
DO $race$
DECLARE
	r1 text;
	r2 text;
BEGIN
	FOR i IN 1..100 LOOP
		PERFORM dblink_send_query('one', format('SELECT public.leave(%L, %L)', 'race-' || i, 'ra-' || i));
		PERFORM dblink_send_query('two', format('SELECT public.leave(%L, %L)', 'race-' || i, 'rb-' || i));
		SELECT x.r INTO r1 FROM dblink_get_result('one') AS x(r text);
		PERFORM FROM dblink_get_result('one') AS x(r text);
		SELECT x.r INTO r2 FROM dblink_get_result('two') AS x(r text);
		PERFORM FROM dblink_get_result('two') AS x(r text);
		INSERT INTO public.outcomes VALUES (i, r1, r2);
	END LOOP;
END
$race$;
SELECT count(*) AS rounds,
       count(*) FILTER (WHERE (first = 'left') <> (second = 'left')) AS one_left,
       count(*) FILTER (WHERE first = '23514' OR second = '23514') AS refused_by_invariant,
       count(*) FILTER (WHERE first NOT IN ('left', '23514') OR second NOT IN ('left', '23514')) AS other_outcomes
  FROM public.outcomes;
SELECT count(*) AS tenants_without_verified_owner
  FROM multitenant.tenants AS t
 WHERE t.id LIKE 'race-%' AND NOT multitenant.tenant_keeps_owner(t.id);
SELECT count(*) AS owners_left FROM multitenant.memberships WHERE instance_id LIKE 'race-%' AND role = 'owner';
SELECT dblink_disconnect('one');
SELECT dblink_disconnect('two');
