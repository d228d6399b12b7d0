#!/usr/bin/env bash
# Usage: scripts/smoke.sh BASE_URL   (make smoke starts a server and passes its URL)
# Calls every route once with curl and checks status codes and bodies. Exits 1 if any check fails.
set -uo pipefail
base="${1:?usage: smoke.sh BASE_URL}"
name="smoke-$$-$RANDOM"
failed=0

# check DESCRIPTION EXPECTED_STATUS EXPECTED_BODY_FRAGMENT CURL_ARGS...
check() {
  local what="$1" want_status="$2" want_body="$3"; shift 3
  local out status body
  out=$(curl -s -w '\n%{http_code}' "$@") || { echo "FAIL $what: curl failed"; failed=1; return; }
  status="${out##*$'\n'}"; body="${out%$'\n'*}"
  if [ "$status" != "$want_status" ] || [[ "$body" != *"$want_body"* ]]; then
    echo "FAIL $what: got $status ${body:0:200}, wanted $want_status with '$want_body'"; failed=1
  else
    echo "ok   $what"
  fi
}

json=(-H 'Content-Type: application/json')
check "root redirects to Swagger UI"  302 ""                      "$base/"
check "Swagger UI page"               200 "swagger"               -L "$base/openapi/ui"
check "OpenAPI as JSON"               200 '"openapi":'            "$base/api/schema"
check "OpenAPI from helidon-openapi"  200 "openapi:"              "$base/openapi"
check "put"                           204 ""                      -X PUT "${json[@]}" -d '{"data":{"n":1,"big":1e300}}' "$base/api/apps/$name"
check "get"                           200 "{\"name\":\"$name\",\"data\":{\"n\":1,\"big\":1e300}}" "$base/api/apps/$name"
check "list has it"                   200 "{\"name\":\"$name\"}"  "$base/api/apps"
check "query counts it"               200 'X-Total-Count: 1'      -i -G --data-urlencode "where={}" -d "prefix=$name" -d count=exact "$base/api/apps"
check "query in a body"               200 "{\"name\":\"$name\"}"  -X POST "${json[@]}" -d "{\"prefix\":\"$name\",\"where\":{}}" "$base/api/query"
check "put without data"              400 '"status":400'          -X PUT "${json[@]}" -d '{"x":1}' "$base/api/apps/$name"
check "malformed json"                400 'application/problem'   -i -X PUT "${json[@]}" -d '{"data":' "$base/api/apps/$name"
check "wrong method"                  405 '"status":405'          -X POST "$base/api/apps/$name"
check "unknown route"                 404 '"status":404'          "$base/api/nothing"
check "delete"                        204 ""                      -X DELETE "$base/api/apps/$name"
check "get after delete"              404 '"status":404'          "$base/api/apps/$name"
check "delete again"                  204 ""                      -X DELETE "$base/api/apps/$name"
check "transaction"                   200 '"results":[{"op":"put"' -X POST "${json[@]}" -d "[{\"op\":\"put\",\"name\":\"$name\",\"data\":1},{\"op\":\"delete\",\"name\":\"$name-b\"}]" "$base/api/txn"
check "transaction refused"           412 '"index":0'             -X POST "${json[@]}" -d "[{\"op\":\"check\",\"name\":\"$name\",\"if_none_match\":\"*\"}]" "$base/api/txn"
check "delete after transaction"      204 ""                      -X DELETE "$base/api/apps/$name"

[ $failed -eq 0 ] && echo "smoke: all checks passed" || echo "smoke: FAILED"
exit $failed
