#!/usr/bin/env bash
# Usage: packaging/dist.sh   (make dist runs it, with JAVA_HOME set and target/microstore.jar built)
# Builds target/microstore-<version>-linux-x64.tar.gz: microstore-<version>/ with
#   runtime/  a JDK linked (jlink) with just the modules microstore needs
#   lib/      microstore.jar, libs/ (its dependencies), microstore.aot (the AOT cache of a training run)
#   bin/microstore, share/microstore.service, share/microstore.env, conf/application.yaml, INSTALL.md
# The training run that makes the AOT cache serves on a free loopback port from a temporary directory
# (its data directory there too), so that the build never binds 8080 nor touches ./data.
set -euo pipefail
cd "$(dirname "$0")/.."
jdk="${JAVA_HOME:?JAVA_HOME must point at a JDK}"
# JDK 25: the one-step AOT cache (-XX:AOTCacheOutput, JEP 514) and jlink from the run-time image (JEP 493).
major=$("$jdk/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
if [ "${major%%.*}" -lt 25 ]; then
  echo "make dist needs a JDK 25 or newer (JAVA_HOME=$jdk is $major)" >&2; exit 1
fi
jar=target/microstore.jar
version=$(sed -n 's/^version=//p' target/classes/io/microstore/build.properties)
name="microstore-$version"
out="target/$name-linux-x64.tar.gz"
dist=target/dist
stage="$dist/$name"
rm -rf "$dist" "$out"
mkdir -p "$stage/lib" "$stage/conf"

# The modules microstore and its libraries use (jdeps below checks that no other is needed): java.desktop
# for the java.beans of SnakeYAML, java.sql for Jackson's and Helidon's date types, java.management and
# jdk.management for the JVM's metrics, java.net.http for the etcd client, jdk.unsupported for SIGTERM.
modules=java.base,java.desktop,java.logging,java.management,java.net.http,java.sql,jdk.management,jdk.unsupported
needed=$(for f in "$jar" target/libs/*.jar; do
           "$jdk/bin/jdeps" --ignore-missing-deps --multi-release 25 -summary "$f" 2>/dev/null
         done | awk '$2 == "->" && ($3 ~ /^java\./ || $3 ~ /^jdk\./) {print $3}' | sort -u)
for m in $needed; do
  case ",$modules," in *",$m,"*) ;; *) echo "packaging/dist.sh: the code now needs module $m: add it to modules" >&2; exit 1;; esac
done
# Uncompressed modules: the tarball's gzip compresses them anyway, and the start does not inflate them.
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
  --compress zip-0 --output "$stage/runtime"

cp -p "$jar" "$stage/lib/"
cp -pr target/libs "$stage/lib/"
cp -pr packaging/bin packaging/share "$stage/"
cp -p conf/application.yaml "$stage/conf/"
cp -p docs/INSTALL.md "$stage/"

# The training run: the launcher's own JVM options, so that the cache fits the runs it is made for; the
# AOT code cache (adapters, stubs) is left out, as JDK 25 warns on stdout at every start when its saved
# adapters do not match the running JVM's.
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$work"' EXIT
root=$PWD
(cd "$work" && exec env -i PATH=/usr/bin:/bin "$root/$stage/runtime/bin/java" \
  -XX:AOTCacheOutput="$root/$stage/lib/microstore.aot" \
  -XX:+UnlockDiagnosticVMOptions -XX:-AOTAdapterCaching -XX:-AOTStubCaching \
  -XX:+UseTransparentHugePages -XX:+ExitOnOutOfMemoryError \
  -jar "$root/$stage/lib/microstore.jar" --port 0 --data "$work/data" >"$work/log" 2>&1) &
pid=$!
url=
for _ in $(seq 1 600); do
  url=$(sed -n 's/^microstore listening on \(http:[^ ]*\)\/ .*/\1/p' "$work/log")
  [ -n "$url" ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$url" ] || { echo "packaging/dist.sh: the training run did not start:" >&2; cat "$work/log" >&2; exit 1; }
# Every route once: their classes go into the cache, loaded and linked.
scripts/smoke.sh "$url" >"$work/smoke" || { cat "$work/smoke" >&2; exit 1; }
kill -TERM "$pid"
status=0; wait "$pid" || status=$?
pid=
if [ "$status" -ne 0 ] || [ ! -s "$stage/lib/microstore.aot" ]; then
  echo "packaging/dist.sh: the training run ended with $status without an AOT cache:" >&2; cat "$work/log" >&2; exit 1
fi

tar -C "$dist" --owner=0 --group=0 --numeric-owner -czf "$out" "$name"
echo "$out: $(du -m "$out" | cut -f1) MB ($(du -sm "$stage" | cut -f1) MB unpacked: runtime $(du -sm "$stage/runtime" | cut -f1) MB, AOT cache $(du -m "$stage/lib/microstore.aot" | cut -f1) MB)"
