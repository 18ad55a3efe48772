-- PUT /v1/households/{id}: households from $HOUSEHOLD_FILE (one JSON per line), each with a new
-- alamat, so every request is a real write (journaled, indexes and counters updated).
local households = {}
for line in io.lines(os.getenv("HOUSEHOLD_FILE")) do households[#households + 1] = line end
local headers = { ["Authorization"] = "Bearer " .. os.getenv("TOKEN"), ["Content-Type"] = "application/json" }
function init(args)
  math.randomseed(os.time() * 1000 + tonumber(tostring({}):sub(8), 16) % 1000)
end
function request()
  local body = households[math.random(#households)]
  local id = body:match('"id":(%d+)')
  body = body:gsub('"alamat":"[^"]*"', '"alamat":"Jl. Uji Beban No. ' .. math.random(1, 1000000000) .. '"', 1)
  return wrk.format("PUT", "/v1/households/" .. id, headers, body)
end
