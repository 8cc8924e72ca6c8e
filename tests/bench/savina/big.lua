-- Big: 120 actors each send N pings to pseudo-random others, and answer
-- every ping with a pong.
local rt, N = ...
local A = 120
local actors, finished = {}, 0
local seed = 42
local function random(n)      -- the same sequence on both runtimes
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed % n + 1
end
for i = 1, A do
  local left = N
  local me
  me = rt.start(function(self, msg)
    if msg == "pong" or msg == "start" then
      if left == 0 then
        finished = finished + 1
        if finished == A then rt.done() end
        return
      end
      left = left - 1
      actors[random(A)]:tell(me)
    else                         -- a ping: msg is the sender
      msg:tell("pong")
    end
  end)
  actors[i] = me
end
for i = 1, A do actors[i]:tell("start") end
return 2 * A * N
