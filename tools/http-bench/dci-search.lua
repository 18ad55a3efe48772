-- POST /registry/sync/search (the DCI Social Registry search), one kind of search per run
-- ($DCI_KIND), each request built once when the script loads:
--   nik        idtype-value by NIK, NIKs from $NIK_FILE (the first 2,000)
--   desa       expression: a desa's households with desil 1 to 3, a page of 20; desa codes from
--              $DESA_FILE (the desa of a random household of the store, one a line: a request
--              each, so regions are asked in proportion to their households)
--   kecamatan  expression: a whole kecamatan sorted by KK number, a page of 50
--   anak       expression: a kecamatan's households with desil 1 to 4 and a child under 6 (a
--              member condition: the counters cannot total it), a page of 50
local kind = os.getenv("DCI_KIND") or "nik"
local headers = { ["Authorization"] = "Bearer " .. os.getenv("TOKEN"), ["Content-Type"] = "application/json" }

local function message(query_type, query, extra)
  return '{"signature": "", "header": {"version": "1.0.0", "message_id": "1", "message_ts": "2026-11-23T10:00:00Z",'
    .. ' "action": "search", "sender_id": "bench", "receiver_id": "lumbung", "total_count": 1, "is_msg_encrypted": false},'
    .. ' "message": {"transaction_id": "1", "search_request": [{"reference_id": "1", "timestamp": "2026-11-23T10:00:00Z",'
    .. ' "search_criteria": {"version": "1.0.0", "query_type": "' .. query_type .. '", "response_entity": "Group", "query": '
    .. query .. extra .. '}}]}}'
end

local function expression(conditions)
  return '{"type": "ns:org:QueryType:NoSql", "value": {"expression": {"collection": "Group", "query": ' .. conditions .. '}}}'
end

local bodies = {}
if kind == "nik" then
  for line in io.lines(os.getenv("NIK_FILE")) do
    if #bodies >= 2000 then break end
    bodies[#bodies + 1] = message("idtype-value", '{"type": "NIK", "value": "' .. line .. '"}', "")
  end
else
  -- One request a sampled household, so a region is asked in proportion to its households.
  for desa in io.lines(os.getenv("DESA_FILE")) do
    local code = kind == "desa" and desa or desa:sub(1, 8)
    if kind == "desa" then
      bodies[#bodies + 1] = message("expression", expression('{"wilayah": "' .. code .. '", "desil": {"$le": 3}}'),
        ', "pagination": {"page_size": 20, "page_number": 1}')
    elseif kind == "anak" then
      bodies[#bodies + 1] = message("expression", expression('{"wilayah": "' .. code .. '", "desil": {"$le": 4}, "age": {"$lt": 6}}'),
        ', "pagination": {"page_size": 50, "page_number": 1}')
    else
      bodies[#bodies + 1] = message("expression", expression('{"wilayah": "' .. code .. '"}'),
        ', "sort": [{"attribute_name": "kk", "sort_order": "asc"}], "pagination": {"page_size": 50, "page_number": 1}')
    end
  end
end
local prepared = {}
for i, body in ipairs(bodies) do prepared[i] = wrk.format("POST", "/registry/sync/search", headers, body) end

-- This script's folder, for the shared helper (wrk runs scripts from any directory).
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "random-request.lua")(prepared)
function response(status, headers, body)
  if status ~= 200 or not body:find('"status":"succ"', 1, true) then
    io.stderr:write("unexpected answer: " .. status .. " " .. body:sub(1, 300) .. "\n")
    wrk.thread:stop()
  end
end
