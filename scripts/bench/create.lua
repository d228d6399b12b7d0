-- PUT of fresh ids, each created once: for pouchdb-server, where an update needs the document's
-- current _rev (a PUT without it to an existing id is a 409), so only creates can be measured
-- without a read before each write. Ids are BENCH_PREFIX-<thread>-<counter>; bench.sh passes a
-- prefix unique to the run. Path prefix from BENCH_PATH (/bench/).
local prefix = os.getenv("BENCH_PATH") or "/bench/"
local run = os.getenv("BENCH_PREFIX") or "c"
local headers = {["Content-Type"] = "application/json"}
local body = '{"data":{"n":1,"s":"some small value"}}'
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("PUT", prefix .. run .. "-" .. tostring(tid) .. "-" .. counter, headers, body)
end
