-- A suspended or inactive tenant cannot be entered, and a session already
-- inside it sees nothing from its next statement on, across sessions: the
-- application is a real login role in a session of its own (dblink), the
-- operator suspends and reactivates the tenant from this one.  Then two
-- operators create the same tenant at the same time: exactly one succeeds.
CREATE EXTENSION dblink;
CREATE EXTENSION multitenant;
CREATE ROLE mt_status_app LOGIN;
GRANT multitenant_app TO mt_status_app;
SELECT format('dbname=%s host=%s port=%s', current_database(),
              current_setting('unix_socket_directories'), current_setting('port')) AS conninfo \gset
SELECT id, status FROM multitenant.create_tenant('tenant-a', 'Tenant A');
SELECT count(*) FROM multitenant.push('org', 'org-1', 'org.added', '{"name": "Org 1"}', instance_id => 'tenant-a');
SELECT count(*) FROM multitenant.push('org', 'org-2', 'org.added', '{"name": "Org 2"}', instance_id => 'tenant-a');
-- A tenant the registry does not know stays enterable, as before 1.3.
SELECT count(*) FROM multitenant.push('org', 'org-1', 'org.added', '{"name": "Org of b"}', instance_id => 'tenant-b');

SELECT dblink_connect('app', :'conninfo' || ' user=mt_status_app');
SELECT * FROM dblink('app', 'SELECT current_user::text') AS t(who text);
SELECT * FROM dblink('app', 'SELECT ''entered'' FROM multitenant.set_tenant(''tenant-a'')') AS t(r text);
SELECT * FROM dblink('app', 'SELECT multitenant.current_tenant(), count(*) FROM multitenant.orgs_projection GROUP BY 1') AS t(tenant text, orgs bigint);

-- Suspended while the session is inside it, in the middle of a REPEATABLE
-- READ transaction: its next statement already sees nothing.
SELECT dblink_exec('app', 'BEGIN ISOLATION LEVEL REPEATABLE READ');
SELECT * FROM dblink('app', 'SELECT count(*) FROM multitenant.orgs_projection') AS t(orgs bigint);
SELECT id, status FROM multitenant.set_tenant_status('tenant-a', 'suspended', 'unpaid invoice');
SELECT * FROM dblink('app', 'SELECT multitenant.current_tenant(), count(*) FROM multitenant.orgs_projection') AS t(tenant text, orgs bigint);
SELECT * FROM dblink('app', 'SELECT count(*) FROM multitenant.tenants') AS t(tenants bigint);
SELECT dblink_exec('app', 'COMMIT');
-- Nor can it enter it again, or write into it.
SELECT * FROM dblink('app', 'SELECT ''entered'' FROM multitenant.set_tenant(''tenant-a'')') AS t(r text);
SELECT * FROM dblink('app', 'SELECT (multitenant.push(''org'', ''org-3'', ''org.added'', ''{"name": "Org 3"}'')).sequence') AS t(s bigint);
-- Another tenant is not concerned.
SELECT * FROM dblink('app', 'SELECT ''entered'' FROM multitenant.set_tenant(''tenant-b'')') AS t(r text);
SELECT * FROM dblink('app', 'SELECT multitenant.current_tenant(), count(*) FROM multitenant.orgs_projection GROUP BY 1') AS t(tenant text, orgs bigint);

-- Reactivated: the session enters again.
SELECT id, status FROM multitenant.set_tenant_status('tenant-a', 'active');
SELECT * FROM dblink('app', 'SELECT ''entered'' FROM multitenant.set_tenant(''tenant-a'')') AS t(r text);
SELECT * FROM dblink('app', 'SELECT multitenant.current_tenant(), count(*) FROM multitenant.orgs_projection GROUP BY 1') AS t(tenant text, orgs bigint);
-- Deactivated: the same, for a session-wide tenant.
SELECT id, status FROM multitenant.set_tenant_status('tenant-a', 'inactive');
SELECT * FROM dblink('app', 'SELECT multitenant.current_tenant(), count(*) FROM multitenant.orgs_projection') AS t(tenant text, orgs bigint);
SELECT dblink_disconnect('app');

-- Two operators create one tenant at the same time.  The second has passed
-- the existence check when the first commits; the push's per-aggregate
-- concurrency check stops it.
SELECT dblink_connect('op1', :'conninfo' || ' user=' || current_user);
SELECT dblink_connect('op2', :'conninfo' || ' user=' || current_user);
SELECT dblink_exec('op1', 'BEGIN');
SELECT * FROM dblink('op1', 'SELECT (multitenant.create_tenant(''tenant-x'', ''X one'')).name') AS t(name text);
SELECT dblink_send_query('op2', 'SELECT (multitenant.create_tenant(''tenant-x'', ''X two'')).name');
-- op2 waits for op1's aggregate.
SELECT pg_catalog.pg_sleep(0.5);
SELECT dblink_is_busy('op2');
SELECT dblink_exec('op1', 'COMMIT');
SELECT * FROM dblink_get_result('op2') AS t(name text);
SELECT * FROM dblink_get_result('op2') AS t(name text);
SELECT dblink_disconnect('op1');
SELECT dblink_disconnect('op2');
SELECT id, name FROM multitenant.tenants WHERE id = 'tenant-x';
SELECT count(*) AS added_events FROM multitenant.events WHERE aggregate_type = 'tenant' AND aggregate_id = 'tenant-x';

DROP EXTENSION multitenant;
DROP ROLE mt_status_app;
DROP EXTENSION dblink;
