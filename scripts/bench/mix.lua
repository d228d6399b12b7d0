-- 90% GET, 10% PUT of random names k1..kN.
local n = tonumber(os.getenv("BENCH_KEYS") or "1000")
local prefix = os.getenv("BENCH_PATH") or "/api/apps/k"
local wrap = os.getenv("BENCH_BODY")
request = function()
  local i = math.random(n)
  if math.random(10) == 1 then
    local b = '{"data":{"n":1,"s":"some small value"}}'
    if wrap == "jsonserver" then b = '{"id":"k' .. i .. '","data":{"n":1,"s":"some small value"}}' end
    return wrk.format("PUT", prefix .. i, {["Content-Type"] = "application/json"}, b)
  end
  return wrk.format("GET", prefix .. i)
end
