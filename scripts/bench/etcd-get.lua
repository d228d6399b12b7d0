-- GET of random existing keys k1..kN through etcd's v3 JSON gateway: POST /v3/kv/range {"key": base64}.
-- A range of one key is etcd's read, linearizable (etcd's default: the leader confirms it is still leader).
package.path = debug.getinfo(1, "S").source:match("@?(.*/)") .. "?.lua;" .. package.path
local base64 = require("base64")
local n = tonumber(os.getenv("BENCH_KEYS") or "1000")
local headers = {["Content-Type"] = "application/json"}
local bodies = {}
request = function()
  local i = math.random(n)
  local b = bodies[i]
  if not b then
    b = '{"key":"' .. base64("k" .. i) .. '"}'
    bodies[i] = b
  end
  return wrk.format("POST", "/v3/kv/range", headers, b)
end
