-- Counting: one producer sends N messages to a counter.
local rt, N = ...
local count = 0
local counter = rt.start(function(self, k)
  count = count + k
  if count == N then rt.done() end
end)
for _ = 1, N do counter:tell(1) end
return N
