-- The yardstick for lactor's speed: a minimal hand-rolled actor scheduler
-- on plain Lua coroutines, as anyone would write it in an afternoon.  A
-- FIFO ready queue, a table mailbox per actor, and an actor drains its
-- mailbox in one resume.  It offers the subset of lactor's API that the
-- benchmarks use, so each benchmark is one program run on both.
local create, resume, yield = coroutine.create, coroutine.resume, coroutine.yield

local queue, qhead, qtail = {}, 1, 0

local function ready(a)
  qtail = qtail + 1
  queue[qtail] = a
end

local Actor = {}
Actor.__index = Actor

function Actor:tell(msg)
  local t = self.tail + 1
  self.tail = t
  self.mb[t] = msg
  if self.waiting then
    self.waiting = false
    ready(self)
  end
end

function Actor:stop() self.stopped = true end

local function body(a)
  local mb, handler = a.mb, a.handler
  while true do
    local h = a.head
    if h > a.tail then
      if a.stopped then return end
      a.waiting = true
      yield()
    else
      local msg = mb[h]
      mb[h] = nil
      a.head = h + 1
      handler(a, msg)
      if a.stopped then return end
    end
  end
end

local M = {}

function M.start(handler)
  local a = setmetatable({ mb = {}, head = 1, tail = 0, handler = handler,
                           waiting = false }, Actor)
  a.co = create(body)
  assert(resume(a.co, a))
  return a
end

function M.run()
  while qhead <= qtail do
    local a = queue[qhead]
    queue[qhead] = nil
    qhead = qhead + 1
    local ok, err = resume(a.co)
    if not ok then error(err) end
  end
end

M.now = os.clock
return M
