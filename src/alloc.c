/*
** The Lua state's allocator: free lists of small blocks.  See alloc.h.
*/
#define _DEFAULT_SOURCE           /* MAP_ANONYMOUS */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <lua.h>

#include "alloc.h"

#if defined(__SANITIZE_ADDRESS__)
#define POOLED 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOLED 0
#endif
#endif
#ifndef POOLED
#define POOLED 1
#endif

#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#endif
#endif
#ifndef VALGRIND_MALLOCLIKE_BLOCK       /* no valgrind headers: no-ops */
#define VALGRIND_MALLOCLIKE_BLOCK(addr, size, rz, zeroed) ((void)0)
#define VALGRIND_FREELIKE_BLOCK(addr, rz) ((void)0)
#define VALGRIND_RESIZEINPLACE_BLOCK(addr, oldsize, newsize, rz) ((void)0)
#define VALGRIND_MAKE_MEM_NOACCESS(addr, size) ((void)0)
#define VALGRIND_MAKE_MEM_UNDEFINED(addr, size) ((void)0)
#define VALGRIND_MAKE_MEM_DEFINED(addr, size) ((void)0)
#define RUNNING_ON_VALGRIND 0
#endif

/* Each of valgrind's requests is a dozen instructions even where no
** valgrind runs (a magic sequence that does nothing natively): five per
** block taken and given back cost Fork-Join 2% of its instructions.  So
** the pool makes them only when it runs under valgrind, which it asks
** once; MEMCHECK(...) does that. */
static int under_valgrind;
#define MEMCHECK(request) \
  do { if (under_valgrind) { request; } } while (0)

/* Blocks up to SMALL bytes come from the pool, in classes 16 bytes
** apart: a table header (56 bytes), a short string, a closure, a future,
** a hash part of a few nodes.  Larger ones are rarer and longer-lived. */
#define SMALL 512
#define CLASS(size) (((size) + 15) >> 4)
#define NCLASSES (CLASS(SMALL) + 1)

/* Slabs come from mmap, not malloc, so that memcheck sees the blocks
** carved out of them as the only heap blocks there. */
#define SLAB (256 * 1024)

typedef struct block { struct block *next; } block;

/* The start of each slab; blocks follow. */
typedef union slab {
  union slab *next;
  char align[16];
} slab;

typedef struct pool {
  block *free[NCLASSES];   /* blocks given back, the last first */
  char *fresh, *end;       /* the unused rest of the newest slab */
  slab *slabs;
  size_t in_use;           /* bytes Lua holds, as collectgarbage counts */
} pool;

/* Returns a block of `size` bytes (at most SMALL), or NULL. */
static void *take(pool *p, size_t size) {
  size_t class = CLASS(size);
  block *b = p->free[class];
  if (b != NULL) {
    MEMCHECK(VALGRIND_MAKE_MEM_DEFINED(b, sizeof *b));
    p->free[class] = b->next;
  }
  else {
    size_t bytes = class << 4;
    if ((size_t)(p->end - p->fresh) < bytes) {   /* the rest is lost */
      slab *s = (slab *)mmap(NULL, SLAB, PROT_READ | PROT_WRITE,
                             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (s == MAP_FAILED) return NULL;
      s->next = p->slabs;
      p->slabs = s;
      p->fresh = (char *)(s + 1);
      p->end = (char *)s + SLAB;
      MEMCHECK(VALGRIND_MAKE_MEM_NOACCESS(p->fresh, (size_t)(p->end - p->fresh)));
    }
    b = (block *)p->fresh;
    p->fresh += bytes;
  }
  MEMCHECK(VALGRIND_MALLOCLIKE_BLOCK(b, size, 0, 0));
  return b;
}

/* Takes back a block of `size` bytes (at most SMALL). */
static void give(pool *p, void *ptr, size_t size) {
  block *b = (block *)ptr;
  size_t class = CLASS(size);
  MEMCHECK(VALGRIND_FREELIKE_BLOCK(b, 0));
  MEMCHECK(VALGRIND_MAKE_MEM_UNDEFINED(b, sizeof *b));
  b->next = p->free[class];
  MEMCHECK(VALGRIND_MAKE_MEM_NOACCESS(b, sizeof *b));
  p->free[class] = b;
}

/* Whether a block is the pool's or malloc's follows from its size,
** which Lua always passes. */
static void *reallocate(pool *p, void *ptr, size_t osize, size_t nsize) {
  void *q;
  if (!POOLED || (osize > SMALL && nsize > SMALL)) {
    if (nsize > 0) return realloc(ptr, nsize);
    free(ptr);
    return NULL;
  }
  if (nsize == 0) {
    if (osize > SMALL) free(ptr);
    else if (ptr != NULL) give(p, ptr, osize);
    return NULL;
  }
  if (ptr != NULL && osize <= SMALL && CLASS(osize) == CLASS(nsize)) {
    MEMCHECK(VALGRIND_RESIZEINPLACE_BLOCK(ptr, osize, nsize, 0));
    return ptr;
  }
  q = nsize > SMALL ? malloc(nsize) : take(p, nsize);
  if (q == NULL)
    /* Lua counts on a block never failing to shrink.  A malloc'd block
    ** kept here would go to a free list when freed, and stay there. */
    return nsize <= osize ? ptr : NULL;
  if (ptr != NULL) {
    memcpy(q, ptr, osize < nsize ? osize : nsize);
    if (osize > SMALL) free(ptr);
    else give(p, ptr, osize);
  }
  return q;
}

/* Lua's allocation function (lua_Alloc).  It counts the bytes in use,
** which collectgarbage("count") cannot tell inside a finalizer. */
static void *alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  pool *p = (pool *)ud;
  void *q;
  if (ptr == NULL) osize = 0;          /* osize is then the object's type */
  q = reallocate(p, ptr, osize, nsize);
  if (q != NULL || nsize == 0) p->in_use += nsize - osize;  /* mod 2^n */
  return q;
}

size_t lx_alloc_in_use(lua_State *L) {
  void *ud;
  lua_getallocf(L, &ud);
  return ((pool *)ud)->in_use;
}

/* An error no pcall catches: most often "not enough memory" where the
** loop itself allocates (a worker for an actor, a traceback), outside
** any protected call.  The state cannot go on, but the process can end
** as lua.c ends on an error, with a report and exit status 1, rather
** than in abort(): the output so far is flushed, and exit() runs the
** REPL's atexit handler, which gives the terminal back. */
static int panic(lua_State *L) {
  const char *msg = lua_tostring(L, -1);
  if (msg == NULL) msg = "(error object is not a string)";
  fflush(stdout);
  fprintf(stderr, "lactor: %s\n", msg);
  exit(EXIT_FAILURE);
}

/* warn(), as luaL_newstate sets it up and lua.c leaves it: off until
** "@on", and a message of several pieces printed as one line. */
static void warn_off(void *ud, const char *msg, int tocont);
static void warn_on(void *ud, const char *msg, int tocont);

static void warn_cont(void *ud, const char *msg, int tocont) {
  fputs(msg, stderr);
  if (tocont) lua_setwarnf((lua_State *)ud, warn_cont, ud);
  else {
    fputs("\n", stderr);
    lua_setwarnf((lua_State *)ud, warn_on, ud);
  }
  fflush(stderr);
}

/* A control message ("@on", "@off"; others are ignored)?  It is one only
** as a whole message, not a piece of one. */
static int control(void *ud, const char *msg, int tocont) {
  if (tocont || *msg != '@') return 0;
  if (strcmp(msg + 1, "off") == 0) lua_setwarnf((lua_State *)ud, warn_off, ud);
  else if (strcmp(msg + 1, "on") == 0) lua_setwarnf((lua_State *)ud, warn_on, ud);
  return 1;
}

static void warn_off(void *ud, const char *msg, int tocont) {
  control(ud, msg, tocont);
}

static void warn_on(void *ud, const char *msg, int tocont) {
  if (control(ud, msg, tocont)) return;
  fputs("Lua warning: ", stderr);
  warn_cont(ud, msg, tocont);
}

/* Gives the slabs back, and the pool: every block is free. */
static void release(pool *p) {
  while (p->slabs != NULL) {
    slab *s = p->slabs;
    p->slabs = s->next;
    munmap(s, SLAB);
  }
  free(p);
}

lua_State *lx_alloc_newstate(void) {
  pool *p = (pool *)calloc(1, sizeof *p);
  lua_State *L;
  if (p == NULL) return NULL;
  under_valgrind = RUNNING_ON_VALGRIND != 0;
  L = lua_newstate(alloc, p);
  if (L == NULL) {               /* what it had allocated is back */
    release(p);
    return NULL;
  }
  lua_atpanic(L, panic);
  lua_setwarnf(L, warn_off, L);
  return L;
}

void lx_alloc_close(lua_State *L) {
  void *ud;
  pool *p;
  lua_getallocf(L, &ud);
  p = (pool *)ud;
  lua_close(L);                        /* every block is back */
  release(p);
}
