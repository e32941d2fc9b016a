# multitenant: PGXS build.  `make demo` and `make test` are the two entry points
# for a fresh machine; see README.md.

EXTENSION  = multitenant
EXTVERSION = $(shell sed -n "s/^default_version[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" $(EXTENSION).control)

MODULE_big = multitenant
# Bottom to top: each module calls only those listed before it (see the
# header of src/multitenant.c).
OBJS = \
	src/catalog.o \
	src/util.o \
	src/settings.o \
	src/index_probe.o \
	src/row_cache.o \
	src/tenant_context.o \
	src/tenant_routing.o \
	src/payload.o \
	src/reducer.o \
	src/event_store.o \
	src/upgrade_repair.o \
	src/rebuild.o \
	src/lookups.o \
	src/tokens.o \
	src/lockout.o \
	src/encryption_keys.o \
	src/audit.o \
	src/realms.o \
	src/session_tokens.o \
	src/sessions.o \
	src/multitenant.o


# The install script of the version under development is a build product:
# the current-state sources in sql/src, concatenated in this order (a file
# may use what the files before it define).  CREATE EXTENSION runs it;
# CREATE EXTENSION ... VERSION '<older>' runs the committed scripts, 1.0 and
# the hops.  See docs/contributing.md.
SQL_SOURCES = \
	sql/src/00_tenant_context.sql \
	sql/src/01_reducers.sql \
	sql/src/02_event_store.sql \
	sql/src/03_adopt_table.sql \
	sql/src/10_core.sql \
	sql/src/11_identity.sql \
	sql/src/12_access.sql \
	sql/src/13_idps.sql \
	sql/src/14_auth.sql \
	sql/src/20_lookups.sql \
	sql/src/21_tokens_lockout.sql \
	sql/src/22_encryption_keys.sql \
	sql/src/23_tenants.sql \
	sql/src/24_audit.sql \
	sql/src/25_lifecycle.sql \
	sql/src/26_requests_invitations.sql \
	sql/src/27_realms.sql \
	sql/src/28_sessions.sql \
	sql/src/30_distribute.sql \
	sql/src/99_grants.sql
BUILT_SCRIPT = sql/$(EXTENSION)--$(EXTVERSION).sql

# Installed besides it: the committed scripts (and not an install script
# built for an earlier default_version that may still lie in sql/).
DATA_built = $(BUILT_SCRIPT)
DATA = sql/$(EXTENSION)--1.0.sql $(wildcard sql/$(EXTENSION)--*--*.sql)

PG_CPPFLAGS = -Isrc
PG_CFLAGS = -Wall -Wextra -Werror -Wno-unused-parameter -Wno-sign-compare -Wno-missing-field-initializers
SHLIB_LINK = -lcrypto -lyaml

# pg_regress suites: test/sql/*.sql, expected output in expected/ (reached
# through the test/expected symlink, since PostgreSQL 15's pg_regress has no
# --expecteddir).  pgTAP suites live in test/pgtap/ and run through pg_prove.
REGRESS      = $(sort $(basename $(notdir $(wildcard test/sql/*.sql))))
REGRESS_OPTS = --inputdir=test
EXTRA_CLEAN  = results/ regression.diffs regression.out

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS tracks no header dependencies: a changed header rebuilds every object
# (a struct laid out two ways in one library fails in ways hard to see).  After
# the include, so that PGXS's "all" stays the default goal.
$(OBJS): $(wildcard src/*.h)

$(BUILT_SCRIPT): $(SQL_SOURCES) $(EXTENSION).control Makefile
	@{ printf '%s\n' '\echo Use "CREATE EXTENSION $(EXTENSION)" to load this file. \quit' ''; \
	   printf '%s\n' '/* $(EXTENSION) $(EXTVERSION), assembled by make from sql/src: edit the sources, not this file. */'; \
	   for f in $(SQL_SOURCES); do printf '\n/* ---- %s ---- */\n\n' "$$f"; cat "$$f"; done; } >$@.tmp
	@mv $@.tmp $@

# Each object depends on the headers of ours that its source includes.
src/util.o: src/multitenant.h src/util.h
src/catalog.o: src/catalog.h
src/settings.o: src/settings.h
src/tenant_context.o: src/catalog.h src/multitenant.h src/settings.h src/tenant_context.h src/util.h
src/reducer.o: src/catalog.h src/multitenant.h src/reducer.h src/util.h
src/event_store.o: src/catalog.h src/event_store.h src/multitenant.h src/reducer.h src/settings.h \
	src/tenant_context.h src/util.h
src/upgrade_repair.o: src/catalog.h src/reducer.h src/upgrade_repair.h
src/rebuild.o: src/catalog.h src/event_store.h src/reducer.h src/upgrade_repair.h src/util.h
src/lookups.o: src/catalog.h src/lookups.h src/multitenant.h src/tenant_context.h src/util.h
src/tokens.o: src/catalog.h src/lookups.h src/tenant_context.h src/tokens.h src/util.h
src/lockout.o: src/lookups.h src/multitenant.h src/tenant_context.h src/util.h
src/encryption_keys.o: src/catalog.h src/encryption_keys.h src/event_store.h src/settings.h src/util.h
src/audit.o: src/catalog.h src/multitenant.h src/settings.h src/tenant_context.h src/util.h
src/realms.o: src/catalog.h src/lookups.h src/multitenant.h src/realms.h src/tenant_context.h src/util.h
src/session_tokens.o: src/catalog.h src/multitenant.h src/session_tokens.h src/util.h
src/sessions.o: src/catalog.h src/session_tokens.h src/tenant_context.h src/tokens.h src/util.h
src/multitenant.o: src/encryption_keys.h src/event_store.h src/lookups.h src/reducer.h src/settings.h \
	src/tenant_context.h

# run-tests.sh reads the test list and options from here.
.PHONY: print-regress print-regress-opts test demo bench bench-upgrade bench-lookups bench-stall bench-audit bench-lifecycle bench-realms bench-sessions bench-probe-memory bench-memory bench-compare-builds
print-regress:
	@echo $(REGRESS)
print-regress-opts:
	@echo $(REGRESS_OPTS)

# Everything on a fresh Debian 12 machine: packages, build, install, a
# throwaway cluster, then every pg_regress and pgTAP suite.  The runner's last
# line is "N passed, N failed".
test:
	@bash test/harness/run-tests.sh

# The same set-up, then a narrated walk through tenants, events, projections
# and isolation (test/demo.sql).
demo:
	@bash test/harness/demo.sh

# Write-path benchmark (bench/run.sh); not part of the tests.
bench:
	@bash bench/run.sh

# The 1.0 -> 1.1 upgrade on 1M users against CREATE TABLE AS copies (bench/upgrade.sh).
bench-upgrade:
	@bash bench/upgrade.sh

# Lookups against their floors at 1,000 tenants x 1,000 users, and across
# tenant counts (bench/lookups.sh).
bench-lookups:
	@bash bench/lookups.sh

# What one tenant's open transaction costs the others' pushes and reads (bench/stall.sh).
bench-stall:
	@bash bench/stall.sh

# Audited vs unaudited vs a PL/pgSQL audit trigger, single-row UPDATEs (bench/audit.sh).
bench-audit:
	@bash bench/audit.sh

# Lifecycle calls (registration, members, roles, invitations, join requests) per second (bench/lifecycle.sh).
bench-lifecycle:
	@bash bench/lifecycle.sh

# Realm resolution at 10 and 10,000 tenants x 3 realms against its floor (bench/realms.sh).
bench-realms:
	@bash bench/realms.sh

# Session validation with tenant entry per token format against its floor, and issuance (bench/sessions.sh).
bench-sessions:
	@bash bench/sessions.sh

# The lookups of this tree against those of BENCH_BASE (default HEAD~1) on one cluster (bench/compare_builds.sh).
bench-compare-builds:
	@bash bench/compare_builds.sh

# One backend's memory across a million calls of each index-probing lookup (bench/probe_memory.sh).
bench-probe-memory:
	@bash bench/probe_memory.sh

# One backend's memory over 1M pushes and 1M events in batches (bench/memory.sh).
bench-memory:
	@bash bench/memory.sh
