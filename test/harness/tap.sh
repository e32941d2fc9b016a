#!/usr/bin/env bash
# shellcheck shell=bash
# TAP output for the scripted suites (test/crash/drill.sh, test/fuzz/events.sh, test/deploy/pg_cron.sh,
# test/deploy/jose_interop.sh).
# Source this file, then:
#
#   tap STATUS DESCRIPTION [DIRECTIVE]   one line: "ok N - ..." when STATUS is 0, else "not ok N - ..."
#   tap_rows DESCRIPTION FILE [DIRECTIVE] ok when FILE is empty, else not ok with its first lines as "# " diagnostics
#   tap_diag < TEXT                      TEXT as "# " diagnostic lines
#   tap_end                              prints the plan "1..N"; returns non-zero when a check failed
#   tap_is GOT WANT DESCRIPTION          ok when GOT equals WANT, else not ok showing both
#   tap_bail REASON                      "Bail out! REASON" and exit 2 (the set-up failed)
#
# DIRECTIVE "TODO <reason>" marks a check that demonstrates a known defect: it is
# printed as "... # TODO <reason>" and, as TAP says, does not count as a failure.

tap_count=0
tap_failures=0

tap() {
  local status=$1 description=$2 directive=${3:-} line
  tap_count=$((tap_count + 1))
  if ((status == 0)); then
    line="ok $tap_count - $description"
  else
    line="not ok $tap_count - $description"
    [[ $directive == TODO* ]] || tap_failures=$((tap_failures + 1))
  fi
  [[ -n $directive ]] && line+=" # $directive"
  echo "$line"
}

tap_diag() {
  sed 's/^/#   /'
}

tap_rows() {
  local description=$1 file=$2 directive=${3:-}
  if [[ -s $file ]]; then
    tap 1 "$description" "$directive"
    head -n 12 "$file" | tap_diag
    (($(wc -l <"$file") > 12)) && echo "#   ... $(($(wc -l <"$file") - 12)) more"
  else
    tap 0 "$description" "$directive"
  fi
  return 0
}

tap_end() {
  echo "1..$tap_count"
  ((tap_failures == 0))
}

tap_is() {
  [[ $1 == "$2" ]]
  tap $? "$3"
  [[ $1 == "$2" ]] || printf "got:  '%s'\nwant: '%s'\n" "$1" "$2" | tap_diag
  return 0
}

tap_bail() {
  echo "Bail out! $*"
  exit 2
}
