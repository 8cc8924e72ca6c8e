-- A CPU-bound actor: 2e8 additions; prints CPU seconds.
local a = lactor.start(function(self, n)
  local x = 0
  for i = 1, n do x = x + i end
  return x
end)
local t0 = os.clock()
a:ask(2e8):get()
print(os.clock() - t0)
