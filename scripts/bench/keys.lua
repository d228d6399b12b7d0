-- GET or PUT (BENCH_METHOD) random names k1..kN, with Authorization: Bearer $BENCH_SECRET when it is set.
local n = tonumber(os.getenv("BENCH_KEYS") or "1000")
local method = os.getenv("BENCH_METHOD") or "GET"
local secret = os.getenv("BENCH_SECRET") or ""
local body = '{"data":{"n":1,"s":"some small value"}}'
local headers = {["Content-Type"] = "application/json"}
if secret ~= "" then headers["Authorization"] = "Bearer " .. secret end
request = function()
  local path = "/api/apps/k" .. math.random(n)
  if method == "PUT" then return wrk.format("PUT", path, headers, body) end
  return wrk.format("GET", path, headers)
end
