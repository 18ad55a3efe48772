-- 90% GET /v1/persons/{nik} on random NIKs, 10% PUT /v1/households/{id} (a new alamat each),
-- drawn at random on every connection.
local niks, households = {}, {}
for line in io.lines(os.getenv("NIK_FILE")) do niks[#niks + 1] = line end
for line in io.lines(os.getenv("HOUSEHOLD_FILE")) do households[#households + 1] = line end
local token = "Bearer " .. os.getenv("TOKEN")
local getHeaders = { ["Authorization"] = token }
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
  return wrk.format("GET", "/v1/persons/" .. niks[math.random(#niks)], getHeaders)
end
