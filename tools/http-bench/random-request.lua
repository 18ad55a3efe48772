-- Shared by the scripts that send one of their prepared requests at random:
--   dofile(here .. "random-request.lua")(prepared)
return function(prepared)
  function init(args)
    math.randomseed(os.time() * 1000 + tonumber(tostring({}):sub(8), 16) % 1000)
  end
  function request()
    return prepared[math.random(#prepared)]
  end
end
