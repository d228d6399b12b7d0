-- Base64 (RFC 4648, with padding) for the etcd scripts: etcd's JSON gateway takes keys and values as
-- base64 strings. wrk's LuaJIT has no library for it, and `require` finds this file through
-- package.path, which etcd-*.lua extend with their own directory.
local chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
return function(s)
  local out = {}
  for i = 1, #s, 3 do
    local a, b, c = s:byte(i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local q = {}
    for j = 1, 4 do
      local v = math.floor(n / 64 ^ (4 - j)) % 64
      q[j] = chars:sub(v + 1, v + 1)
    end
    if not b then q[3] = "=" end
    if not c then q[4] = "=" end
    out[#out + 1] = table.concat(q)
  end
  return table.concat(out)
end
