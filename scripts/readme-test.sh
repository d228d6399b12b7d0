#!/usr/bin/env bash
# Usage: scripts/readme-test.sh [MARKDOWN_FILE] BASE_URL   (make smoke runs it on a fresh in-memory server)
#
# Runs the examples of README.md (or MARKDOWN_FILE) in order, as a reader would paste them, against
# BASE_URL, and checks the status each one claims. Prints one line per command, FAIL lines for what does
# not hold, and exits 1 if anything failed.
#
# What it runs: every fenced block marked ```sh, ```bash or ```console that holds a curl command, one
# command at a time in a single shell (so B=... set in one block serves the next), in a temporary
# directory. A command ends at the first line that does not end in a backslash and leaves no quote open
# (bash -n decides). Comment lines between commands are the reader's (expected output, explanations) and
# are skipped; in a ```console block a command starts with "$ " and other lines are output. Every
# http://127.0.0.1:8080 or http://localhost:8080 is replaced by BASE_URL.
#
# The convention README.md keeps: every curl command ends in a comment with its expected status,
#     curl -i $B/api/apps/config                  # -> 200, ETag: "1"
# written "# -> STATUS", optionally followed by text for the reader. In that text:
#   ETag: "N"   the response's ETag header must be exactly "N" too;
#   waits       (a long-poll, a watch) it must still be waiting without an answer after WAIT_SECONDS (1),
#               when the script stops it: the reader would wait for a change or the timeout;
#   streams     (SSE) the status must have come and the response still be open after WAIT_SECONDS,
#               when the script stops it: the reader would stop it with Ctrl-C.
# Any other command must answer within 10 s. A curl command without "# -> STATUS" is a failure: each
# example says what it gets. Commands without curl (B=...) only have to succeed. VERBOSE=1 also shows
# each command's output, as the reader would see it.
set -uo pipefail

readme=README.md
if [ $# -ge 2 ]; then readme=$1; shift; fi
base="${1:?usage: readme-test.sh [MARKDOWN_FILE] BASE_URL}"
base=${base%/}
[ -f "$readme" ] || { echo "readme-test: $readme not found" >&2; exit 2; }
readme=$(cd "$(dirname "$readme")" && pwd)/$(basename "$readme")
wait_seconds=${WAIT_SECONDS:-1}
work=$(mktemp -d "${TMPDIR:-/tmp}/readme-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
name=$(basename "$readme")

# --- 1. The commands, each as: its first line's number, then its text (NUL-separated, in $work/steps).
steps=()  # "LINE<TAB>TEXT"
extract() {
  local lineno=0 line fence="" lang="" block=() block_lines=() has_curl=0
  while IFS= read -r line || [ -n "$line" ]; do
    lineno=$((lineno + 1))
    if [ -z "$fence" ]; then
      if [[ $line =~ ^\`\`\`(sh|bash|console)[[:space:]]*$ ]]; then
        fence=1; lang=${BASH_REMATCH[1]}; block=(); block_lines=(); has_curl=0
      elif [[ $line =~ ^\`\`\` ]]; then
        fence=other
      fi
      continue
    fi
    if [[ $line =~ ^\`\`\`[[:space:]]*$ ]]; then
      [ "$fence" = 1 ] && [ $has_curl = 1 ] && split_block "$lang"
      fence=""
      continue
    fi
    [ "$fence" = 1 ] || continue
    block+=("$line"); block_lines+=("$lineno")
    [[ $line =~ (^|[^[:alnum:]_-])curl[[:space:]] && ! $line =~ ^[[:space:]]*# ]] && has_curl=1
  done <"$readme"
  return 0
}

# split_block LANG: cuts the block in $block into commands, appended to $steps.
split_block() {
  local lang=$1 i buf="" start=0 line
  for i in "${!block[@]}"; do
    line=${block[$i]}
    if [ -z "$buf" ]; then
      if [ "$lang" = console ]; then
        [[ $line == '$ '* ]] || continue
        line=${line#'$ '}
      fi
      [[ $line =~ ^[[:space:]]*(#.*)?$ ]] && continue
      start=${block_lines[$i]}
    fi
    buf+="$line"$'\n'
    [[ $line == *\\ ]] && continue
    bash -n <<<"$buf" 2>/dev/null || continue
    steps+=("$start"$'\t'"$buf")
    buf=""
  done
  if [ -n "$buf" ]; then
    steps+=("$start"$'\t'"$buf")  # left incomplete: running it reports the syntax error
  fi
}

extract
if [ ${#steps[@]} = 0 ]; then
  echo "readme-test: FAIL no curl examples found in $readme"; exit 1
fi

# --- 2. One script that runs them all in one shell, each followed by its check.
runner=$work/run.sh
{
  cat <<'EOF'
set +e
__fails=0; __count=0
# The reader's curl, with what the check needs: its own output as written, the status and its exit code
# on the side. Every call of a step is recorded; the last one is checked.
curl() {
  command curl -sS --max-time "$__max" -D "$__dir/headers" -w '%{stderr}__status__ %{http_code}\n' "$@" \
    2>>"$__dir/err"
  local rc=$?
  echo "__exit__ $rc" >>"$__dir/err"
  return $rc
}
__report() { # OK|FAIL LINE TEXT DETAIL
  local first=${3%%$'\n'*}
  [[ $first =~ ^(.*[^[:space:]])[[:space:]]+#\ -\> ]] && first=${BASH_REMATCH[1]}
  [ ${#first} -gt 72 ] && first="${first:0:69}..."
  [[ $3 == *$'\n'*$'\n'* ]] && first="$first ..."
  if [ "$1" = ok ]; then printf 'ok   %s:%-4s %-78s %s\n' "$__name" "$2" "$first" "$4"
  else printf 'FAIL %s:%-4s %s\n     %s\n' "$__name" "$2" "$first" "$4"; __fails=$((__fails + 1)); fi
}
__snippet() { tr -d '\r' <"$__dir/out" | tr '\n' ' ' | head -c 300; }
__check() { # LINE TEXT IS_CURL EXPECTED MODE ETAG STEP_EXIT
  local line=$1 text=$2 is_curl=$3 want=$4 mode=$5 etag=$6 rc=$7 got exit more got_etag
  __count=$((__count + 1))
  got=$(sed -n 's/^__status__ //p' "$__dir/err" | tail -n 1)
  exit=$(sed -n 's/^__exit__ //p' "$__dir/err" | tail -n 1)
  more=$(grep -v '^__status__ \|^__exit__ ' "$__dir/err" | tr '\n' ' ' | head -c 300)
  if [ "$is_curl" = 0 ]; then
    if [ "$rc" = 0 ]; then __report ok "$line" "$text" "(no curl: ran)"
    else __report FAIL "$line" "$text" "exit status $rc: $more $(__snippet)"; fi
    return
  fi
  if [ -z "$want" ]; then
    __report FAIL "$line" "$text" "no '# -> STATUS' comment on this curl command"; return
  fi
  if [ -z "$got" ]; then
    __report FAIL "$line" "$text" "curl did not run (exit status $rc): $more $(__snippet)"; return
  fi
  case $mode in
    waits)
      if [ "$exit" = 28 ] && [ "$got" = 000 ]; then
        __report ok "$line" "$text" "waits (stopped after ${__wait}s)"
      else
        __report FAIL "$line" "$text" "marked 'waits' but answered $got at once (curl exit $exit) $more"
      fi
      return ;;
    streams)
      if [ "$exit" = 28 ] && [ "$got" = "$want" ]; then
        __report ok "$line" "$text" "$got, streams (stopped after ${__wait}s)"
      else
        __report FAIL "$line" "$text" "marked '$want, streams': got $got, curl exit $exit (28 = still open) $more"
      fi
      return ;;
  esac
  if [ "$got" != "$want" ]; then
    __report FAIL "$line" "$text" "got $got, README says $want: $(__snippet) $more"; return
  fi
  if [ "$exit" != 0 ]; then
    __report FAIL "$line" "$text" "got $got, but curl exited with $exit: $more"; return
  fi
  if [ -n "$etag" ]; then
    got_etag=$(tr -d '\r' <"$__dir/headers" | sed -n 's/^[Ee][Tt][Aa][Gg]: //p' | tail -n 1)
    if [ "$got_etag" != "$etag" ]; then
      __report FAIL "$line" "$text" "got $got with ETag: ${got_etag:-(none)}, README says ETag: $etag"; return
    fi
    __report ok "$line" "$text" "$got, ETag: $etag"; return
  fi
  __report ok "$line" "$text" "$got"
}
__show() { # with VERBOSE=1: what the reader would see
  [ "${VERBOSE:-0}" = 1 ] || return 0
  tr -d '\r' <"$__dir/out" | head -c 2000 | sed 's/^/       | /'; echo
}
EOF
  printf '__dir=%q; __name=%q; __wait=%q\n' "$work" "$name" "$wait_seconds"
  for step in "${steps[@]}"; do
    line=${step%%$'\t'*}
    text=${step#*$'\t'}
    text=${text//http:\/\/127.0.0.1:8080/$base}
    text=${text//http:\/\/localhost:8080/$base}
    last=${text%$'\n'}; last=${last##*$'\n'}
    is_curl=0; [[ $text =~ (^|[^[:alnum:]_-])curl[[:space:]] ]] && is_curl=1
    want=""; mode=""; etag=""
    if [[ $last =~ \#.*-\>[[:space:]]*([0-9]{3})(.*)$ ]]; then
      want=${BASH_REMATCH[1]}; rest=${BASH_REMATCH[2]}
      [[ $rest =~ (^|[^[:alnum:]])waits([^[:alnum:]]|$) ]] && mode=waits
      [[ $rest =~ (^|[^[:alnum:]])streams([^[:alnum:]]|$) ]] && mode=streams
      [[ $rest =~ ETag:[[:space:]]*(\"[^\"]*\") ]] && etag=${BASH_REMATCH[1]}
    fi
    max=10; [ -n "$mode" ] && max=$wait_seconds
    printf ': >"$__dir/err"; : >"$__dir/headers"; __max=%q\n' "$max"
    # The command as written, on lines of its own (it may end in a comment), its output kept aside.
    printf '{\n%s\n} >"$__dir/out" 2>>"$__dir/err"\n' "${text%$'\n'}"
    printf '__check %q %q %q %q %q %q $?; __show\n' "$line" "$text" "$is_curl" "$want" "$mode" "$etag"
  done
  echo '[ $__fails = 0 ] && echo "readme-test: all $__count commands of '"$name"' gave what it says" \'
  echo '  || echo "readme-test: FAILED: $__fails of $__count commands of '"$name"'"'
  echo 'exit $((__fails > 0))'
} >"$runner"

cd "$work" && bash "$runner"
