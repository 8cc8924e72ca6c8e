/*
** The runtime: one Lua state with the standard libraries, the lactor
** module (global `lactor`, also require("lactor")), cjson, and the loop.
*/
#ifndef lactor_runtime_h
#define lactor_runtime_h

#include <lua.h>

#include "loop.h"

#define LACTOR_VERSION "0.1.0"

typedef struct lx_runtime {
  lua_State *L;
  lx_loop *loop;
} lx_runtime;

/* NULL when out of memory. */
lx_runtime *lx_runtime_new(int debug);
void lx_runtime_free(lx_runtime *rt);

/* Opens the libraries (ignoring LUA_PATH and LUA_CPATH when `noenv`),
** loads the lactor module and sets the global; returns a Lua status and
** leaves an error message on the stack on failure. */
int lx_runtime_open(lx_runtime *rt, int noenv);

/* Pushes the embedded module (package.loaded[module]), loading it first
** if it is not loaded yet: lactor.input and others load on first use
** (init.lua).  Not through the global require, which a script may have
** replaced.  Returns a Lua status; on failure the message is pushed. */
int lx_runtime_require(lua_State *L, const char *module);

#endif
