/*
** The allocator of the Lua state: small blocks come from free lists, one
** per 16-byte size class, carved out of large slabs; larger ones from
** malloc.
**
** Lua's objects are small and short-lived: an actor that starts, handles
** a message and dies allocates and frees six of them, a future one.  The
** garbage collector frees them by the thousand in a sweep, which sends
** malloc through its slow paths (its per-thread cache holds seven blocks a
** size); a free list takes and gives back a block in a few instructions,
** and hands out first the block freed last, which is still in the cache.
** Lua tells the allocator each block's size when it frees or resizes it,
** so the pool needs no header: that also saves malloc's eight bytes a
** block.  Fork-Join ran about a fifth faster (see DECISIONS.md).
**
** The slabs are never given back until the state is closed, as in most
** runtimes with a heap of their own: a script that once held a million
** small objects keeps the memory for the next million.
**
** Under AddressSanitizer every block is malloc's, so that the checks see
** each one; under valgrind, the pool tells memcheck where its blocks begin
** and end, so that memcheck checks them as it checks malloc's.
*/
#ifndef lactor_alloc_h
#define lactor_alloc_h

#include <lua.h>

/* A new Lua state whose memory comes from a pool of its own, with the
** panic and warning functions luaL_newstate sets; NULL when out of
** memory.  lua_close it with lx_alloc_close. */
lua_State *lx_alloc_newstate(void);
void lx_alloc_close(lua_State *L);
/* The bytes the state holds: collectgarbage("count") * 1024, also inside
** a finalizer, where that fails. */
size_t lx_alloc_in_use(lua_State *L);

#endif
