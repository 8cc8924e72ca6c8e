-- median.lua: reads "runtime bench units seconds" lines on stdin and prints,
-- per benchmark, the median rate of lactor and of the hand-rolled scheduler,
-- their ratio, and the spread (min-max) of lactor's rate across runs.  Lines
-- "ask RATE" (one per round) give ask round trips per second, compared with
-- PingPong's messages per second of the same rounds.
local runs, order, asks = {}, {}, {}
for line in io.lines() do
  local rt, bench, units, secs = line:match("^(%S+) (%S+) (%S+)%s+(%S+)$")
  local ask = line:match("^ask (%S+)$")
  if ask then
    asks[#asks + 1] = tonumber(ask)
  elseif rt then
    local key = bench
    if not runs[key] then
      runs[key] = { lactor = {}, lua = {}, rounds = {} }   -- rounds: lactor's, in order
      order[#order + 1] = key
    end
    local rate = tonumber(units) / tonumber(secs)
    table.insert(runs[key][rt], rate)
    if rt == "lactor" then table.insert(runs[key].rounds, rate) end
  end
end
local function median(t)
  table.sort(t)
  local n = #t
  if n == 0 then return 0 end
  return n % 2 == 1 and t[(n + 1) // 2] or (t[n // 2] + t[n // 2 + 1]) / 2
end
print(string.format("%-12s %14s %14s %7s   %s", "benchmark", "lactor/s", "lua/s", "ratio", "lactor spread"))
for _, key in ipairs(order) do
  local l, b = runs[key].lactor, runs[key].lua
  local ml, mb = median(l), median(b)
  print(string.format("%-12s %14.0f %14.0f %6.2fx   %.0f-%.0f (%d runs)",
    key, ml, mb, ml / mb, l[1], l[#l], #l))
end
if #asks > 0 then
  -- Round by round (the machine's speed drifts), then the median.
  local pp, ratios = runs.pingpong and runs.pingpong.rounds, {}
  for i = 1, #asks do
    if pp and pp[i] then ratios[i] = asks[i] / pp[i] end
  end
  local ma = median(asks)
  print()
  print(string.format("Ask round trips/s (sequential ask():get()), median of %d: %.0f (spread %.0f-%.0f)",
    #asks, ma, asks[1], asks[#asks]))
  if #ratios > 0 then
    print(string.format("  against PingPong's msgs/s in the same rounds: %.2fx (median of the rounds' ratios)",
      median(ratios)))
  end
end
