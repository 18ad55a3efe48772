-- GET /health with the same Authorization header as the other scripts (it needs none).
local headers = { ["Authorization"] = "Bearer " .. os.getenv("TOKEN") }
function request()
  return wrk.format("GET", "/health", headers)
end
