-- Chameneos: 100 creatures ask a mall for a partner; the mall pairs them
-- up N times.  Each meeting costs four messages.
local rt, N = ...
local C = 100
local meetings, waiting = 0, nil
local mall = rt.start(function(self, who)
  if meetings == N then return end
  if waiting == nil then
    waiting = who
    return
  end
  meetings = meetings + 1
  waiting:tell(who)
  who:tell(waiting)
  waiting = nil
  if meetings == N then rt.done() end
end)
for _ = 1, C do
  local me
  me = rt.start(function(self, partner) mall:tell(me) end)
  mall:tell(me)
end
return 4 * N
