-- GET random existing names k1..kN.
local n = tonumber(os.getenv("BENCH_KEYS") or "1000")
local prefix = os.getenv("BENCH_PATH") or "/api/apps/k"
request = function()
  return wrk.format("GET", prefix .. math.random(n))
end
