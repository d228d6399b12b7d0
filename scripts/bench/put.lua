-- PUT {"data": {...}} to random names k1..kN (N from the environment, default 1000).
local n = tonumber(os.getenv("BENCH_KEYS") or "1000")
local prefix = os.getenv("BENCH_PATH") or "/api/apps/k"
local body = '{"data":{"n":1,"s":"some small value"}}'
local wrap = os.getenv("BENCH_BODY") -- json-server wants the record itself
request = function()
  local i = math.random(n)
  local b = body
  if wrap == "jsonserver" then b = '{"id":"k' .. i .. '","data":{"n":1,"s":"some small value"}}' end
  return wrk.format("PUT", prefix .. i, {["Content-Type"] = "application/json"}, b)
end
