-- Sequential ask round trips from the main chunk to an echo actor; prints
-- round trips per CPU second.
local n = tonumber(...)
local echo = lactor.start(function(self, m) return m end)
local t0 = os.clock()
for i = 1, n do echo:ask(i):get() end
print(n / (os.clock() - t0))
