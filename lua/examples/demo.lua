-- A word count as a pipeline of actors:
--
--   printf 'the cat sat\nthe dog sat\n' | lactor lua/examples/demo.lua
--
-- Each line of stdin is a message to the splitter (lactor.input); it tells
-- every word to one of three shards, picked by the word's first letter.
-- After the last line the splitter gets lactor.EOF, the main chunk asks the
-- shards for their counts (proxy field reads, in order after the words),
-- and prints the top five, then writes them as JSON with lactor.emit.

local Shard = lactor.class("Shard")
function Shard:init() self.counts = {} end
function Shard:on_receive(word) self.counts[word] = (self.counts[word] or 0) + 1 end

local shards = {}
for i = 1, 3 do shards[i] = Shard:start() end

local read = lactor.future()
lactor.input(function(self, line)
  if line == lactor.EOF then return read:set() end
  for word in line:lower():gmatch("%a+") do
    shards[word:byte() % #shards + 1]:tell(word)
  end
end, {on_eof = "message"})

read:get()
local counts = {}
for i, shard in ipairs(shards) do counts[i] = shard:proxy().counts end
local words = {}
for _, shard_counts in ipairs(lactor.get_all(counts)) do
  for word, n in pairs(shard_counts) do words[#words + 1] = {word, n} end
end
table.sort(words, function(a, b) return a[2] > b[2] or a[2] == b[2] and a[1] < b[1] end)
for i = 6, #words do words[i] = nil end
for _, w in ipairs(words) do print(string.format("%-6s %d", w[1], w[2])) end
lactor.emit(words)
