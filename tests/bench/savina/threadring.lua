-- ThreadRing: a token passed N times around a ring of 100 actors.
local rt, N = ...
local R = 100
local ring = {}
for i = 1, R do
  local nxt = i % R + 1
  ring[i] = rt.start(function(self, hops)
    if hops == 0 then return rt.done() end
    ring[nxt]:tell(hops - 1)
  end)
end
ring[1]:tell(N)
return N
