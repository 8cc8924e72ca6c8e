-- Fork-Join creation: N actors, each created, sent one message, retired.
local rt, N = ...
local handled = 0
local function handler(self, msg)
  handled = handled + 1
  self:stop()
  if handled == N then rt.done() end
end
for i = 1, N do rt.start(handler):tell(i) end
return N
