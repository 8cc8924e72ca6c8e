-- Bytes per idle actor: peak RSS grows by this much per actor started and
-- left idle (lactor), or per coroutine with a mailbox table, parked (lua).
local which, n = ...
n = tonumber(n)
local function hwm()
  for line in io.lines("/proc/self/status") do
    local kb = line:match("^VmHWM:%s*(%d+)")
    if kb then return tonumber(kb) * 1024 end
  end
end
collectgarbage()
local before, keep = hwm(), {}
if which == "lactor" then
  local Idle = lactor.class("Idle")
  function Idle:on_receive() end
  for i = 1, n do keep[i] = Idle:start() end
  lactor.sleep(0)          -- let every actor start and park
else
  for i = 1, n do
    local co = coroutine.create(function(mb) while true do coroutine.yield() end end)
    coroutine.resume(co, {})
    keep[i] = co
  end
end
collectgarbage()
print(string.format("%.0f", (hwm() - before) / n))
if which == "lactor" then lactor.exit(0) end
