#!/usr/bin/env bash
# `make test`: every test, quiet when green.
#
# First the format check (Spotless with palantir-java-format; seconds): unformatted Java fails here, before
# the long run, with one red line saying to run `make format`. Then `mvn verify`, whose full log goes to
# target/test.log while the console gets only the counts of each phase (Surefire: unit and HTTP tests, then
# the HTTP API tests again on the etcd engine, execution "etcd", a real 3-member etcd cluster; Failsafe: *IT,
# the real jar in child JVMs), the failed tests, errors and the verdict, the failures in red on a terminal.
# A test's own output (logs included) is in target/{surefire-reports,surefire-reports-etcd,failsafe-reports}/
# <class>-output.txt; on failure the tail of that file is printed for each class that failed.
# JAVA_HOME and MAVEN come from the Makefile; run alone, the script finds them itself.
set -uo pipefail
cd "$(dirname "$0")/.."

export JAVA_HOME=${JAVA_HOME:-}
JAVA_HOME=$(scripts/find-jdk.sh) || exit 1
MAVEN=${MAVEN:-$(scripts/ensure-maven.sh)} || exit 1
LOG=target/test.log
FORMAT_LOG=target/format.log

red=; off=
if [ -t 1 ]; then red=$'\e[1;31m'; off=$'\e[0m'; fi
failed() { echo "${red}make test FAILED${off} ($1)"; exit "${2:-1}"; }

mkdir -p target

if true; then
  if ! $MAVEN -B -q -Dstyle.color=never spotless:check >"$FORMAT_LOG" 2>&1; then
    # Spotless names the first file and shows its diff, then counts the others.
    first=$(sed -n 's/^\[ERROR\]     \(src\/[^ ]*\.java\)$/\1/p' "$FORMAT_LOG" | head -n 1)
    if [ -z "$first" ]; then
      grep '^\[ERROR\]' "$FORMAT_LOG" | grep -v '^\[ERROR\] *$' | head -n 20 | sed "s/.*/$red&$off/"
      failed "the format check could not run; its log: $FORMAT_LOG"
    fi
    others=$(sed -n 's/.*Violations also present in \([0-9]*\) other files.*/\1/p' "$FORMAT_LOG")
    where=$first; [ "${others:-0}" = 0 ] || where="$((others + 1)) files (the first: $first)"
    echo "${red}Unformatted Java in $where: run \`make format\`, then review and commit.${off}"
    failed "what Spotless would change: $FORMAT_LOG"
  fi
fi

# Every shell script parses (bash -n): a script that runs only in a long benchmark would otherwise break unseen.
for script in $(git ls-files 'scripts/*.sh' .ci/run 2>/dev/null); do
  if ! errors=$(bash -n "$script" 2>&1); then echo "$red$errors$off"; failed "$script does not parse"; fi
done

scripts/etcd-cluster.sh install || exit 1 # before the tests, whose clusters start within a time limit

echo "mvn verify: the full log goes to $LOG"
$MAVEN -B -Dstyle.color=never verify 2>&1 | tee "$LOG" | awk -v red="$red" -v off="$off" '
  /^\[INFO\] --- .*surefire.*:test \(etcd\)/     { kind = "HTTP API tests on the etcd engine (Surefire)"; print kind "..."; fflush(); next }
  /^\[INFO\] --- .*surefire.*:test /             { kind = "unit and HTTP tests (Surefire)"; print kind "..."; fflush() }
  /^\[INFO\] --- .*failsafe.*:integration-test / { kind = "*IT tests on the real jar (Failsafe)"; print kind "..."; fflush() }
  # A class summary: only a failed one is shown.
  /Tests run:.* in [[:alnum:]_.$]+$/ { if (/<<</) { print red $0 off; fflush() } next }
  # A phase total.
  /^\[[A-Z]+\] Tests run:/ { sub(/^\[[A-Z]+\] /, ""); print kind ": " ($0 ~ /Failures: 0, Errors: 0/ ? $0 : red $0 off); fflush(); next }
  # The advice Maven adds after a failure.
  /^\[ERROR\] *$|Please refer to|-> \[Help|\[Help 1\]|-e switch|-X switch|following articles/ { next }
  /^\[ERROR\]|BUILD FAILURE/ { print red $0 off; fflush() }'
status=$?
[ "$status" = 0 ] && exit 0

for class in $(sed -n 's/.*<<< [A-Z]*!.* in \([[:alnum:]_.$]*\)$/\1/p' "$LOG" | sort -u); do
  for out in "target/surefire-reports/$class-output.txt" "target/surefire-reports-etcd/$class-output.txt" \
             "target/failsafe-reports/$class-output.txt"; do
    [ -f "$out" ] || continue
    echo; echo "$red--- $class failed; the last 200 lines of its output ($out):$off"; tail -n 200 "$out"
  done
done
failed "full log: $LOG" "$status"
