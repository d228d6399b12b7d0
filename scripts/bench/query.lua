-- The questions of the query load test (scripts/bench-query.sh), asked of microstore or a peer over HTTP.
-- BENCH_STYLE: microstore | jsonserver (json-server 1.0) | pouchdb (Mango _find on /bench).
-- BENCH_QUERY: eq        an equality on status (one of 10 values, 10% each): a 20-row page with the documents
--              eq-count  the same with the total count (json-server 1.0 always counts a page)
--              count     microstore: the count alone (limit=0&count=exact)
--              count-range  microstore: the count alone of a range of created holding 10% of the apps
--              range     created >= a random value, ordered by created: a 20-row page with the documents
--              scan      microstore: a count of 10% through every app, a 1-row page (no index on /status)
--              put       microstore: PUT a document of the same shape to a random name q1..qN
-- BENCH_KEYS: the documents held, named q1..qN with created = 1700000000 + i.
local n = tonumber(os.getenv("BENCH_KEYS") or "1000")
local style = os.getenv("BENCH_STYLE") or "microstore"
local q = os.getenv("BENCH_QUERY") or "eq"
local base = 1700000000

local function enc(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

-- Each request picks its value at random; the encoded forms of the 10 statuses are made once.
local statusWhere, statusCount = {}, {}
for i = 0, 9 do
  statusWhere[i] = "/api/apps?limit=20&include=data&where=" .. enc('{"/status":"s' .. i .. '"}')
  statusCount[i] = "/api/apps?limit=0&count=exact&where=" .. enc('{"/status":"s' .. i .. '"}')
end
local byCreated = "&order=" .. enc("/created")
local json = {["Content-Type"] = "application/json"}

local function from() return base + math.random(1, math.max(1, n - 20)) end

request = function()
  local s = math.random(0, 9)
  if style == "jsonserver" then
    if q == "range" then
      return wrk.format("GET", "/apps?created:gte=" .. from() .. "&_sort=created&_page=1&_per_page=20")
    end
    return wrk.format("GET", "/apps?status=s" .. s .. "&_page=1&_per_page=20")
  elseif style == "pouchdb" then
    local body
    if q == "range" then
      body = '{"selector":{"created":{"$gte":' .. from() .. '}},"sort":[{"created":"asc"}],"limit":20}'
    else
      body = '{"selector":{"status":"s' .. s .. '"},"limit":20}'
    end
    return wrk.format("POST", "/bench/_find", json, body)
  end
  if q == "eq" then return wrk.format("GET", statusWhere[s]) end
  if q == "eq-count" then return wrk.format("GET", statusWhere[s] .. "&count=exact") end
  if q == "count" then return wrk.format("GET", statusCount[s]) end
  if q == "count-range" then
    local low = base + math.random(1, n - n / 10 + 1)
    return wrk.format("GET", "/api/apps?limit=0&count=exact&where="
        .. enc('{"/created":{"$gte":' .. low .. ',"$lt":' .. (low + n / 10) .. '}}'))
  end
  if q == "scan" then return wrk.format("GET", (statusCount[s]:gsub("limit=0", "limit=1"))) end
  if q == "range" then
    return wrk.format("GET", "/api/apps?limit=20&include=data" .. byCreated .. "&where="
        .. enc('{"/created":{"$gte":' .. from() .. '}}'))
  end
  if q == "put" then
    local i = math.random(n)
    return wrk.format("PUT", "/api/apps/q" .. i, json, '{"data":{"status":"s' .. s .. '","priority":'
        .. math.random(0, 9) .. ',"created":' .. (base + i) .. ',"tags":["t' .. (i % 7) .. '","t' .. (i % 13)
        .. '"],"owner":"user' .. (i % 1000) .. '"}}')
  end
  error("no query " .. q .. " for " .. style)
end
