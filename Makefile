# multitenant: PGXS build.  `make demo` and `make test` are the two entry points
# for a fresh machine; see README.md.

EXTENSION  = multitenant
EXTVERSION = $(shell sed -n "s/^default_version[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" $(EXTENSION).control)

MODULE_big = multitenant
OBJS = \
	src/multitenant.o \
	src/tenant_context.o \
	src/payload.o \
	src/event_store.o \
	src/reducer.o

DATA = $(wildcard sql/$(EXTENSION)--*.sql)

PG_CPPFLAGS = -Isrc
PG_CFLAGS = -Wall -Wextra -Werror -Wno-unused-parameter -Wno-sign-compare -Wno-missing-field-initializers
SHLIB_LINK = -lcrypto

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# ---------------------------------------------------------------------------
# Test / demo harness (test/harness/).  Appended after `include $(PGXS)`:
# pgxs.mk only wires REGRESS into `installcheck` when REGRESS is set before
# the include, so the harness runs pg_regress itself (same options).
REGRESS      = $(sort $(basename $(notdir $(wildcard test/sql/*.sql))))
REGRESS_OPTS = --inputdir=test
EXTRA_CLEAN += results/ regression.diffs regression.out

.PHONY: test demo

# Everything on a fresh Debian 12 machine: deps, build, install, throwaway
# cluster, pg_regress + pgTAP.  The last line printed is "N passed, N failed".
# make-exit.sh keeps make's own "*** Error" line from following it on failure.
test:
	@bash test/harness/run-tests.sh || bash test/harness/make-exit.sh $$PPID $$?

demo:
	@bash test/harness/demo.sh
