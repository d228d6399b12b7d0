#!/bin/sh
# Prints the home of a JDK >= 21: $JAVA_HOME if it is one, else the newest under /usr/lib/jvm.
# Helidon 4 needs Java 21; the machine's default java may be older.
major() { "$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1; }
ok() { [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] && [ "$(major "$1")" -ge 21 ] 2>/dev/null; }
if [ -n "$JAVA_HOME" ] && ok "$JAVA_HOME"; then echo "$JAVA_HOME"; exit 0; fi
best=""; best_major=0
for home in /usr/lib/jvm/*; do
  [ -d "$home" ] && ok "$home" || continue
  m=$(major "$home")
  if [ "$m" -gt "$best_major" ]; then best="$home"; best_major=$m; fi
done
if [ -n "$best" ]; then echo "$best"; exit 0; fi
echo "microstore needs a JDK 21 or newer (Helidon 4). None found in JAVA_HOME or /usr/lib/jvm." >&2
echo "Install one, e.g. 'apt-get install openjdk-21-jdk' or Temurin 21/25, or set JAVA_HOME." >&2
exit 1
