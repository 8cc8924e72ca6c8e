-- driver.lua RUNTIME BENCH N: runs one benchmark on lactor or on the
-- hand-rolled baseline (RUNTIME is "lactor" or "lua") and prints
-- "UNITS SECONDS": messages (or actors) handled, and CPU seconds.
local which, bench, n = ...
local dir = arg[0]:match("(.*/)") or "./"
local program = assert(loadfile(dir .. bench .. ".lua"))
local rt, finished
if which == "lactor" then
  finished = lactor.future()
  rt = { start = lactor.start, done = function() finished:set() end }
else
  rt = dofile(dir .. "baseline.lua")
  rt.done = function() end
end
collectgarbage()
local t0 = os.clock()
local units = program(rt, tonumber(n))
if finished then finished:get() else rt.run() end
print(units, os.clock() - t0)
