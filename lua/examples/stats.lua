-- Live statistics of a log, as it grows:
--
--   tail -f app.log | lactor lua/examples/stats.lua [SECONDS]
--
-- Each line of stdin is a message to a Stats actor, which counts lines
-- per level (the first upper-case word: INFO, WARN, ERROR, ...).  A timer
-- asks it for a summary every SECONDS (5 unless given) and prints one
-- line, while lines keep coming; the actor and the timer run side by
-- side on the one loop.  At the end of the input the actor is stopped,
-- and its on_stop prints the totals.

local every = tonumber(arg[1]) or 5

local Stats = lactor.class("Stats")

function Stats:init()
  self.counts, self.lines, self.since = {}, 0, 0
end

function Stats:on_receive(line)
  local level = line:match("^(%u+)%f[%A]") or "OTHER"
  self.counts[level] = (self.counts[level] or 0) + 1
  self.lines = self.lines + 1
  self.since = self.since + 1
end

-- "12 lines: ERROR 1, INFO 9, OTHER 2", levels in order.
function Stats:summary()
  local levels = {}
  for level in pairs(self.counts) do levels[#levels + 1] = level end
  table.sort(levels)
  for i, level in ipairs(levels) do
    levels[i] = level .. " " .. self.counts[level]
  end
  return self.lines .. " lines: " .. table.concat(levels, ", ")
end

-- The summary and the lines since the last tick, for the timer.
function Stats:tick()
  local since = self.since
  self.since = 0
  return self:summary(), since
end

function Stats:on_stop()
  print("total " .. self:summary())
end

local stats = Stats:start()
local proxy = stats:proxy()

-- A tick that comes as the input ends may find the actor stopped: its
-- call then fails (ActorDead), and there is nothing left to print.
local timer = lactor.every(every, function()
  local ok, summary, since = pcall(function() return proxy:tick():get() end)
  if ok then print(string.format("%s (%.1f lines/s)", summary, since / every)) end
end)

-- The run ends when nothing can happen any more: once the actor has
-- ended, after the last line, the timer is the only thing left.
stats:monitor():on_done(function() timer:cancel() end)
lactor.input(stats)
