-- Rows of a 1.5 database that no event produced (imported by hand).  1.5's
-- tables already have their tenant columns, so these are the rows the
-- upgrade must keep exactly as they are: test/upgrade/legacy_rows_expected.sql.
\ir legacy_rows_expected.sql
