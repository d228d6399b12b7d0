-- A page of 100 names starting at a random name (microstore: limit/after; json-server: _page/_limit).
local n = tonumber(os.getenv("BENCH_KEYS") or "1000")
local style = os.getenv("BENCH_LIST") or "microstore"
request = function()
  if style == "jsonserver" then
    return wrk.format("GET", "/apps?_limit=100&_page=" .. math.random(math.max(1, math.floor(n / 100))))
  end
  return wrk.format("GET", "/api/apps?limit=100&after=k" .. math.random(n))
end
