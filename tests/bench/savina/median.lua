-- median.lua: reads "runtime bench units seconds" lines on stdin and prints,
-- per benchmark, the median rate of lactor and of the hand-rolled scheduler,
-- their ratio, and the spread (min-max) of lactor's rate across runs.
local runs, order = {}, {}
for line in io.lines() do
  local rt, bench, units, secs = line:match("^(%S+) (%S+) (%S+)%s+(%S+)$")
  if rt then
    local key = bench
    if not runs[key] then runs[key] = { lactor = {}, lua = {} }; order[#order + 1] = key end
    table.insert(runs[key][rt], tonumber(units) / tonumber(secs))
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
