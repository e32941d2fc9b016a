-- Issuance: the operator creates one session for a random existing member
-- (bench/sessions_setup.sql: tenants bt-<k>, members bp-<k>-<p>, realm pw)
-- in the format given with -D format=...; one per transaction.
\set k random(0, :tenants - 1)
\set p random(0, :members)
SELECT session_id
  FROM multitenant.create_session('bp-' || :k || '-' || :p, 'pw', idle_timeout => '1 day',
                                  absolute_timeout => '2 days', format => :format, tenant => 'bt-' || :k);
