-- Rows of a 1.4 database that no event produced (imported by hand).  1.4's
-- tables already have their tenant columns, so these are the rows the
-- upgrade must keep exactly as they are: test/upgrade/legacy_rows_expected.sql.
\ir legacy_rows_expected.sql
