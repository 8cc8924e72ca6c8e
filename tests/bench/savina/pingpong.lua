-- PingPong: two actors pass one message back and forth N times.
local rt, N = ...
local left = N
local pong = rt.start(function(self, msg) msg.from:tell(msg) end)
local ping = rt.start(function(self, msg)
  left = left - 1
  if left > 0 then pong:tell(msg) else rt.done() end
end)
pong:tell({ from = ping })
return 2 * N
