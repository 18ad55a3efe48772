-- GET /v1/persons/{nik} on NIKs drawn at random from $NIK_FILE (one per line; the first
-- $NIK_COUNT, 20,000 unless set). Each request is built once, when the script loads, so a
-- request costs wrk no more than one for /health. (More prepared requests make wrk itself
-- slower: with 200,000 it spent twice the CPU a request, on the same 2 cores as the server.)
local headers = { ["Authorization"] = "Bearer " .. os.getenv("TOKEN") }
local limit = tonumber(os.getenv("NIK_COUNT") or "20000")
local prepared = {}
for line in io.lines(os.getenv("NIK_FILE")) do
  if #prepared >= limit then break end
  prepared[#prepared + 1] = wrk.format("GET", "/v1/persons/" .. line, headers)
end
-- This script's folder, for the shared helper (wrk runs scripts from any directory).
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "random-request.lua")(prepared)
