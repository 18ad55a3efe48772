-- GET /health with the same Authorization header as the other scripts (it needs none). The
-- request is built once, as persons.lua builds its requests once: the load generator then does
-- the same small work per request in every script and its cost does not skew the comparison.
local headers = { ["Authorization"] = "Bearer " .. os.getenv("TOKEN") }
local prepared = wrk.format("GET", "/health", headers)
function request()
  return prepared
end
