# microstore — see README.md. `make run` serves on http://127.0.0.1:8080/ with data in ./data
# (`make run DATA=` keeps it in memory, `PORT=9090` picks the port); `make test` runs every test;
# `make feed-bench` measures the changes feed's SSE fan-out (FeedFanout).
SHELL := /bin/bash
JAVA_HOME := $(shell scripts/find-jdk.sh)
ifeq ($(JAVA_HOME),)
$(error no JDK >= 21 found (see the message above))
endif
export JAVA_HOME
JAVA := $(JAVA_HOME)/bin/java
MVN := $(shell scripts/ensure-maven.sh) -B -q
JAR := target/microstore.jar
SOURCES := pom.xml $(shell find src/main -type f 2>/dev/null)

DATA ?= data
PORT ?=
RUN_FLAGS := $(if $(DATA),--data $(DATA)) $(if $(PORT),--port $(PORT))

.PHONY: build run test smoke feed-bench clean

build: $(JAR)

$(JAR): $(SOURCES)
	$(MVN) package -DskipTests
	@touch $(JAR)

run: $(JAR)
	$(JAVA) -jar $(JAR) $(RUN_FLAGS)

test:
	$(MVN) verify

smoke: $(JAR)
	scripts/with-server.sh scripts/smoke.sh

# Changes-feed fan-out: K SSE subscribers (stepping up, see FeedFanout) under a steady writer, on a
# fresh data dir. FEED_BENCH_OPTS passes options, e.g. FEED_BENCH_OPTS='-Dsteps=100,1000 -Drate=50'.
# Each process needs a file descriptor per subscriber: the limit is raised to the hard limit, and a
# step beyond it fails (Helidon then closes the server socket for good: keep K below `ulimit -Hn`).
FEED_BENCH_OPTS ?=
feed-bench: $(JAR)
	$(MVN) test-compile
	ulimit -n $$(ulimit -Hn); data=$$(mktemp -d); \
	SERVER_JVM_OPTS="-Xmx1g -Dstore.changes.max-subscribers=100000" SERVER_FLAGS="--data $$data" \
	  scripts/with-server.sh $(JAVA) -Xmx1g $(FEED_BENCH_OPTS) -cp 'target/test-classes:target/classes:target/libs/*' \
	  io.microstore.bench.FeedFanout; status=$$?; rm -rf "$$data"; exit $$status

clean:
	$(MVN) clean
