# microstore — see README.md. `make run` serves on http://127.0.0.1:8080/ with data in ./data
# (`make run DATA=` keeps it in memory, `PORT=9090` picks the port); `make test` checks the formatting
# (`make format` fixes it), then runs every test; `make cluster` runs two instances on a local 3-member
# etcd cluster, `make lb-test` behind nginx and HAProxy (deploy/); `make client-test` runs real SSE clients
# (npm eventsource, Python requests) against the jar; `make feed-bench` measures the changes feed's SSE
# fan-out (FeedFanout); `make fuzz` runs the Jazzer fuzz tests, FUZZ_TIME (60s) each. `make dist` builds the
# release tarball, `make image` the OCI image archive (docs/INSTALL.md); `make dist-test` and `make image-test`
# test them as an operator runs them.
SHELL := /bin/bash

# The JDK and Maven are looked for only by the targets that use them (`make clean` needs neither, and
# must never install Maven): JDK and MAVEN are recursively expanded and remember their value on first use.
JDK = $(eval JDK := $(or $(shell scripts/find-jdk.sh),$(error no JDK >= 21 found (see the message above))))$(JDK)
MAVEN = $(eval MAVEN := $(or $(shell scripts/ensure-maven.sh),$(error no Maven (see the message above))))$(MAVEN)
MVN = $(MAVEN) -B -q
JAVA = $(JDK)/bin/java
JAR := target/microstore.jar
VERSION := $(shell sed -n '/<artifactId>microstore</{n;s:.*<version>\(.*\)</version>.*:\1:p;}' pom.xml)
# The commit --version names (-dirty: with changes not committed); unknown outside a git checkout.
COMMIT = $(eval COMMIT := $(or $(shell git rev-parse --short=12 HEAD 2>/dev/null),unknown)$(shell git status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo -dirty))$(COMMIT)
DIST := target/microstore-$(VERSION)-linux-x64.tar.gz
IMAGE := target/microstore-$(VERSION)-oci.tar
SOURCES := pom.xml $(shell find src/main -type f 2>/dev/null)

DATA ?= data
PORT ?=
# JVM options of microstore's own runs (make run, make cluster, make bench and bench-cost): the heap in
# transparent huge pages takes 20-40% off a start with a million apps (a page fault per 2 MiB of fresh
# heap instead of 512) and leaves serving as it was (docs/BENCHMARKS.md); where the OS has THP off, the
# JVM warns and goes on without. The first OutOfMemoryError ends the process (exit status 3), rather than
# leave it serving with a thread or a request lost to it (docs/OPERATIONS.md). Running the jar yourself,
# pass them too.
JAVA_OPTS ?= -XX:+UseTransparentHugePages -XX:+ExitOnOutOfMemoryError
RUN_FLAGS := $(if $(DATA),--data $(DATA)) $(if $(PORT),--port $(PORT))

# Short runs for a small machine: one fork, 3 x 1 s warm-up, 5 x 1 s measured per benchmark and parameter.
# Any JMH option works, e.g. `make jmh JMH_ARGS='-f 1 -i 3 PutBody'` (a regex selects benchmarks).
JMH_ARGS ?= -f 1 -wi 3 -w 1s -i 5 -r 1s
# JDK 24+ warns about JMH's use of sun.misc.Unsafe in every JVM; forks get the host JVM's options.
JMH_JVM = $(shell $(JAVA) --sun-misc-unsafe-memory-access=allow -version >/dev/null 2>&1 && echo --sun-misc-unsafe-memory-access=allow)

CHROMIUM := /usr/bin/chromium
E2E_DEPS := e2e/node_modules/.package-lock.json

.PHONY: build run cluster test format smoke lb-test client-test e2e api-lint bench bench-cost bench-ab bench-tls bench-keys feed-bench patch-bench jmh fuzz clean

# Maven and the scripts (with-server.sh, bench.sh) take the JDK from JAVA_HOME; prerequisites inherit it.
build $(JAR) run cluster test format smoke lb-test client-test e2e api-lint bench bench-cost bench-ab bench-tls bench-keys feed-bench patch-bench jmh fuzz: export JAVA_HOME = $(JDK)
# Every JVM the benchmarks start (bare Helidon too, for a fair ceiling) takes JAVA_OPTS from the launcher.
bench bench-cost bench-ab bench-tls bench-keys: export JDK_JAVA_OPTIONS = $(JAVA_OPTS)

# The release's targets, on lines of their own.
.PHONY: dist dist-test image image-test startup-bench
dist $(DIST) dist-test image $(IMAGE) image-test startup-bench: export JAVA_HOME = $(JDK)

build: $(JAR)

$(JAR): $(SOURCES)
	$(MVN) package -DskipTests -Dmicrostore.commit=$(COMMIT)
	@touch $(JAR)

# The release (packaging/dist.sh): a linked runtime, the jar and its libs, an AOT cache from a training run
# on a free port, bin/microstore and the systemd unit, as target/microstore-<version>-linux-x64.tar.gz.
# A jar built from another commit (or by `make test`, which does not name it) is built again first.
dist: $(DIST)
$(DIST): $(JAR) packaging/dist.sh $(wildcard packaging/bin/* packaging/share/*) conf/application.yaml docs/INSTALL.md
	@grep -qx 'commit=$(COMMIT)' target/classes/io/microstore/build.properties || \
	  $(MVN) package -DskipTests -Dmicrostore.commit=$(COMMIT)
	packaging/dist.sh

# The release on a machine without Java (scripts/dist-test.sh): unpacked in a temporary directory, run with
# an environment that has no java, SIGTERM and a restart on its data, the AOT cache used, the size budget;
# the systemd unit through systemd-analyze verify and security (Debian's systemd is installed when missing).
dist-test: $(DIST)
	scripts/dist-test.sh $(DIST)

# The OCI image archive (packaging/image.sh): a Debian 12 base made by mmdebstrap, the release on it, a
# non-root user, /var/lib/microstore a volume; no registry needed. Installs podman, mmdebstrap and runc.
image: $(IMAGE)
$(IMAGE): $(DIST) packaging/Containerfile packaging/image.sh
	packaging/image.sh $(DIST) $(IMAGE)

# The image in podman (scripts/image-test.sh): health, smoke, podman stop, a restart on the same volume.
image-test: $(IMAGE)
	scripts/image-test.sh $(IMAGE)

# Start-up to the first 200 on /observe/health, the release against java -jar, alternating
# (scripts/startup-bench.sh): STARTUP_ROUNDS (5) rounds, with STARTUP_APPS apps in the data directory (0).
startup-bench: $(DIST)
	scripts/startup-bench.sh $(DIST)

run: $(JAR)
	$(JAVA) $(JAVA_OPTS) -jar $(JAR) $(RUN_FLAGS)

# Cluster mode on one machine: a real 3-member etcd cluster on loopback (client ports 32371-32373 and peer
# ports 32381-32383, or CLUSTER_ETCD_BASE+1..3 and +11..13; Debian's etcd-server is installed when missing)
# and two instances on it, on http://127.0.0.1:8081/ and :8082/ (CLUSTER_PORTS=8081,8082). An instance that
# exits (kill one to try failover) is reported and the rest run on; Ctrl-C stops everything and removes the data.
CLUSTER_PORTS ?= 8081,8082
cluster: $(JAR)
	CLUSTER_PORTS=$(CLUSTER_PORTS) CLUSTER_JVM_OPTS="$(JAVA_OPTS) $${CLUSTER_JVM_OPTS:-}" scripts/cluster.sh

# Every test, quiet when green (scripts/test.sh): first the format check, which fails fast on unformatted
# Java (`make format` fixes it); then `mvn verify` with its full log in target/test.log, the console getting
# only the test counts of each phase, failures in red and the output of each class that failed.
test:
	@MAVEN="$(MAVEN)" scripts/test.sh

# Formats src/main/java and src/test/java in place (Spotless with palantir-java-format, 120 columns; see pom.xml).
format:
	$(MVN) spotless:apply

# Every route once on a fresh in-memory server (scripts/smoke.sh); README.md's examples in order, on a fresh
# server of their own since their ETags are a fresh store's (scripts/readme-test.sh); then make cluster
# losing an instance (scripts/cluster-test.sh: free ports, a real 3-member etcd, about 25 s).
smoke: $(JAR)
	scripts/with-server.sh scripts/smoke.sh
	scripts/with-server.sh scripts/readme-test.sh
	scripts/cluster-test.sh

# Real SSE clients against the jar's changes feed (scripts/client-test.sh): the npm eventsource package and
# Python's requests, across SIGTERM and a restart; installs clients/' npm packages and python3-requests.
client-test: $(JAR)
	scripts/client-test.sh

# The shipped load-balancer configurations (deploy/nginx.conf, deploy/haproxy.cfg) with Debian's nginx and
# HAProxy (installed when missing) in front of two cluster-mode instances on a 3-member etcd cluster, all on
# loopback ports free at run time: every route, SSE, 70 s long-polls, HAProxy's health check, HTTP/1.0, and
# an instance killed under SSE clients and a writer (scripts/lb-test.sh). About two minutes.
lb-test: $(JAR)
	scripts/lb-test.sh

# A real browser drives the Swagger UI, then the data browser at /ui/, each against a fresh in-memory
# server (see docs/TESTING.md and docs/UI.md); first the data browser's logic alone (node --test).
e2e: $(JAR) $(CHROMIUM) $(E2E_DEPS)
	node --test e2e/ui-logic.test.mjs
	scripts/with-server.sh node e2e/swagger-ui.test.mjs
	scripts/with-server.sh node e2e/ui.test.mjs

# The OpenAPI document a fresh server serves at /api/schema, in the tools clients read it with
# (e2e/openapi-lint.mjs): `redocly lint` without errors, and ajv 8 compiling every schema in strict mode.
api-lint: $(JAR) $(E2E_DEPS)
	scripts/with-server.sh node e2e/openapi-lint.mjs

# JMH microbenchmarks (the *Bench classes with @Benchmark methods under src/test/java; see docs/BENCHMARKS.md,
# "Microbenchmarks"): the log and the results table go to target/jmh.txt, the results as JSON to target/jmh.json.
jmh:
	$(MVN) test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test.classpath
	set -o pipefail; $(JAVA) $(JMH_JVM) -cp target/test-classes:target/classes:$$(cat target/test.classpath) \
		org.openjdk.jmh.Main $(JMH_ARGS) -rf json -rff target/jmh.json 2>&1 | tee target/jmh.txt

# Coverage-guided fuzzing with Jazzer (see docs/TESTING.md): each *FuzzTest in turn, FUZZ_TIME each
# (e.g. `make fuzz FUZZ_TIME=5m FUZZ_TARGETS=PatchesFuzzTest`). `make test` only replays the saved inputs in
# src/test/resources/<package>/<Class>Inputs/<method>/; a crashing input found here is written there as
# crash-<sha1>, so `make test` fails on it until it is fixed. The corpus grown while fuzzing stays in
# .cifuzz-corpus/ (not committed) for the next run; the log of each target in target/fuzz-<target>.log.
FUZZ_TIME ?= 60s
FUZZ_TARGETS ?= CompactJsonFuzzTest PercentDecoderFuzzTest PatchesFuzzTest JournalFuzzTest NameRoundTripFuzzTest
fuzz:
	$(MVN) test-compile
	@failed=; for target in $(FUZZ_TARGETS); do \
	  echo "fuzzing $$target for $(FUZZ_TIME)..."; \
	  JAZZER_FUZZ=1 $(MAVEN) -B -Dstyle.color=never surefire:test -Dtest=$$target -Djazzer.hooks=true \
	    -Djazzer.max_duration=$(FUZZ_TIME) > target/fuzz-$$target.log 2>&1 || failed="$$failed $$target"; \
	  cat target/surefire-reports/*.$$target-output.txt >> target/fuzz-$$target.log 2>/dev/null; \
	  grep -h '^Done [0-9]* runs\|Test unit written to\|FuzzTestFinding' target/fuzz-$$target.log | sort -u; \
	done; \
	if [ -n "$$failed" ]; then echo "make fuzz: findings or errors in:$$failed (see target/fuzz-<target>.log)"; exit 1; fi

$(CHROMIUM):
	@[ "$$(id -u)" = 0 ] || { echo "$(CHROMIUM) is missing: install Debian's chromium package (as root) and try again" >&2; exit 1; }
	apt-get update -qq && apt-get install -y -qq chromium

# npm writes this file on every install: older than the lock file means node_modules is stale.
$(E2E_DEPS): e2e/package.json e2e/package-lock.json
	cd e2e && npm ci --no-audit --no-fund
	@touch $@

# Load tests (scripts/bench.sh): microstore against bare Helidon at 1k and 1M apps, then against its peers
# (webdis over Redis, etcd, pouchdb-server, json-server), then cluster mode on a 3-member etcd cluster on
# loopback (scripts/bench-cluster.sh): BENCH_CLUSTER=0 skips it, BENCH_ONLY=cluster runs it alone (e.g.
# `BENCH_ONLY=cluster BENCH_ROUNDS=5 make bench`). The report goes to target/bench/report-<date>.md, the chart
# to target/bench/bench.png; a full run also replaces the latest run in docs/BENCHMARKS.md and docs/bench.png.
# Then the queries (scripts/bench-query.sh): an indexed filter vs a GET at 1M apps, counts, PUT with indexes,
# the unindexed scan rate, and json-server 1.0, pouchdb-server and PostgreSQL (pgbench) on 100k documents;
# BENCH_QUERY=0 skips them, BENCH_ONLY=query or BENCH_ONLY=query-peers runs one part alone; the report goes to
# target/bench/query-report-<date>.md. `make jmh JMH_ARGS='-f 1 QueryScanBench'`: the scan rate in memory.
bench: $(JAR)
	$(MVN) test-compile
	scripts/bench.sh

# Where a request's time goes, for the goals against the peers: CPU per request, context switches and idle
# cores on a ladder of five servers (bare Helidon, its routes in microstore's set-up, microstore in memory,
# with fsync never, with fsync always), and the raw fdatasync appended and preallocated; BENCH_COST_GC=1 adds
# G1, ZGC and Parallel GC at 1M apps. Prints tables (docs/BENCHMARKS.md, "What we learned", keeps one).
bench-cost: $(JAR)
	$(MVN) test-compile
	scripts/bench-cost.sh

# Changes-feed fan-out: K SSE subscribers (stepping up, see FeedFanout) under a steady writer, on a
# fresh data dir. FEED_BENCH_OPTS passes options, e.g. FEED_BENCH_OPTS='-Dsteps=100,1000 -Drate=50'.
# Each process needs a file descriptor per subscriber: the limit is raised to the hard limit, and a
# step beyond it fails (Helidon then closes the server socket for good: keep K below `ulimit -Hn`).
# The server's flood limits (max-concurrent-requests, max-tcp-connections) are raised past any K.
FEED_BENCH_OPTS ?=
feed-bench: $(JAR)
	$(MVN) test-compile
	ulimit -n $$(ulimit -Hn); data=$$(mktemp -d); \
	SERVER_JVM_OPTS="-Xmx1g -Dstore.changes.max-subscribers=100000 -Dserver.max-concurrent-requests=100000 -Dserver.max-tcp-connections=100000" SERVER_FLAGS="--data $$data" \
	  scripts/with-server.sh $(JAVA) -Xmx1g $(FEED_BENCH_OPTS) -cp 'target/test-classes:target/classes:target/libs/*' \
	  io.microstore.bench.FeedFanout; status=$$?; rm -rf "$$data"; exit $$status

# Two versions side by side: this build against BENCH_AB_JAR (e.g. a jar of the previous main), GET and
# durable PUT at 1k apps, alternating (scripts/bench-ab.sh); BENCH_ROUNDS (5) rounds.
bench-ab: $(JAR)
	scripts/bench-ab.sh $(BENCH_AB_JAR)

# TLS GET against plain GET at 64 kept-alive connections, alternating (scripts/bench-tls.sh).
bench-tls: $(JAR)
	scripts/bench-tls.sh

# GET and durable PUT with a key of 20 rules against no security at all, alternating (scripts/bench-keys.sh).
bench-keys: $(JAR)
	scripts/bench-keys.sh

# A worst-case PATCH (10,000 operations on an app of 40,000 members, sent again and again) beside another
# client's small PUTs: their latency alone and beside it, and the patch's own (PatchStall), on a fresh data
# directory with fsync always. PATCH_BENCH_SECONDS (10) for each half.
PATCH_BENCH_SECONDS ?= 10
patch-bench: $(JAR)
	$(MVN) test-compile
	data=$$(mktemp -d); SERVER_JVM_OPTS="$(JAVA_OPTS)" SERVER_FLAGS="--data $$data" \
	  scripts/with-server.sh $(JAVA) -cp 'target/test-classes:target/classes:target/libs/*' \
	  io.microstore.bench.PatchStall $(PATCH_BENCH_SECONDS); status=$$?; rm -rf "$$data"; exit $$status

# What `mvn clean` would do, without Maven or a JDK.
clean:
	rm -rf target
