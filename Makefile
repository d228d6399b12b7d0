# microstore — see README.md. `make run` serves on http://127.0.0.1:8080/ with data in ./data
# (`make run DATA=` keeps it in memory, `PORT=9090` picks the port); `make test` runs every test.
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

.PHONY: build run test smoke clean

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

clean:
	$(MVN) clean
