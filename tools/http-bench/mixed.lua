-- 90% GET /v1/persons/{nik} on random NIKs, 10% PUT /v1/households/{id} (a new alamat each),
-- drawn at random on every connection.
local reads, households = {}, {}
local token = "Bearer " .. os.getenv("TOKEN")
local getHeaders = { ["Authorization"] = token }
local limit = tonumber(os.getenv("NIK_COUNT") or "20000")
for line in io.lines(os.getenv("NIK_FILE")) do
  if #reads >= limit then break end
  reads[#reads + 1] = wrk.format("GET", "/v1/persons/" .. line, getHeaders)
end
for line in io.lines(os.getenv("HOUSEHOLD_FILE")) do households[#households + 1] = line end
local putHeaders = { ["Authorization"] = token, ["Content-Type"] = "application/json" }
function init(args)
  math.randomseed(os.time() * 1000 + tonumber(tostring({}):sub(8), 16) % 1000)
end
function request()
  if math.random(10) == 1 then
    local body = households[math.random(#households)]
    local id = body:match('"id":(%d+)')
    body = body:gsub('"alamat":"[^"]*"', '"alamat":"Jl. Uji Beban No. ' .. math.random(1, 1000000000) .. '"', 1)
    return wrk.format("PUT", "/v1/households/" .. id, putHeaders, body)
  end
  return reads[math.random(#reads)]
end
