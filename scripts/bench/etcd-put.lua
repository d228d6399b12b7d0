-- PUT of random keys k1..kN through etcd's v3 JSON gateway: POST /v3/kv/put {"key", "value"} in base64,
-- the value being the same JSON body the other systems get.
package.path = debug.getinfo(1, "S").source:match("@?(.*/)") .. "?.lua;" .. package.path
local base64 = require("base64")
local n = tonumber(os.getenv("BENCH_KEYS") or "1000")
local value = base64('{"data":{"n":1,"s":"some small value"}}')
local headers = {["Content-Type"] = "application/json"}
local bodies = {}
request = function()
  local i = math.random(n)
  local b = bodies[i]
  if not b then
    b = '{"key":"' .. base64("k" .. i) .. '","value":"' .. value .. '"}'
    bodies[i] = b
  end
  return wrk.format("POST", "/v3/kv/put", headers, b)
end
