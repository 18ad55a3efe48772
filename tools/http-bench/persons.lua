-- GET /v1/persons/{nik} on NIKs drawn at random from $NIK_FILE (one per line).
local niks = {}
for line in io.lines(os.getenv("NIK_FILE")) do niks[#niks + 1] = line end
local headers = { ["Authorization"] = "Bearer " .. os.getenv("TOKEN") }
local counter = 0
function init(args)
  counter = counter + 1
  math.randomseed(os.time() * 1000 + tonumber(tostring({}):sub(8), 16) % 1000)
end
function request()
  return wrk.format("GET", "/v1/persons/" .. niks[math.random(#niks)], headers)
end
