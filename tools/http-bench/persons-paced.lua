-- GET /v1/persons/{nik} like persons.lua, but each connection waits between an answer and its
-- next request so that all of them together offer about $RATE requests a second (wrk's
-- delay()): the latency of the route under a steady load below the server's ceiling.
dofile(os.getenv("SCRIPTS_DIR") .. "/persons.lua")
local pause = tonumber(os.getenv("CONNECTIONS") or "64") * 1000 / tonumber(os.getenv("RATE") or "10000")
function delay()
  return pause
end
