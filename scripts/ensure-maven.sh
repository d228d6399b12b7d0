#!/bin/sh
# Prints the mvn command, installing Debian's maven package first if it is missing.
if ! command -v mvn >/dev/null 2>&1; then
  echo "mvn not found: installing Debian's maven package" >&2
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && apt-get install -y -qq maven) >&2 || { echo "installing maven failed" >&2; exit 1; }
  else
    echo "install Maven 3.8+ (e.g. 'sudo apt-get install maven') and try again" >&2; exit 1
  fi
fi
echo mvn
