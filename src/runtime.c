/*
** The Lua state and what is preloaded into it.
*/
#include <stdlib.h>

#include <lauxlib.h>
#include <lua-cjson.h>
#include <lualib.h>

#include "alloc.h"
#include "embed.h"
#include "lib_lactor.h"
#include "preempt.h"
#include "runtime.h"

static int open_core(lua_State *L) {
  lx_runtime *rt = (lx_runtime *)lua_touserdata(L, lua_upvalueindex(1));
  return lx_open_core(L, rt->loop);
}

/* The globals lactor's own files see (their _ENV): a copy of the
** standard ones, made before any script runs.  Most of those files are
** loaded on first use (actor.lua by the first lactor.start), and would
** otherwise read what the script has made of its globals by then:
** `require = nil` or a tostring of its own broke lactor's calls, or
** changed its messages. */
static const char env_key = 'e';

static void save_env(lua_State *L) {
  lua_newtable(L);
  lua_pushglobaltable(L);
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    lua_pushvalue(L, -2);
    lua_insert(L, -2);
    lua_rawset(L, -5);
  }
  lua_pop(L, 1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &env_key);
}

/* package.preload loader of one embedded Lua file (upvalue 1). */
static int load_embedded(lua_State *L) {
  const lx_embedded *e = (const lx_embedded *)lua_touserdata(L, lua_upvalueindex(1));
  if (luaL_loadbuffer(L, e->source, e->size, e->chunkname) != LUA_OK)
    return lua_error(L);
  lua_rawgetp(L, LUA_REGISTRYINDEX, &env_key);
  lua_setupvalue(L, -2, 1);            /* a main chunk's one upvalue */
  lua_pushstring(L, e->module);
  lua_call(L, 1, 1);
  return 1;
}

/* os.exit, as loslib.c's but for `close`: the state is closed as at
** lactor's own end, the loop and the preemption timer first, which point
** into procs the close frees.  Lua's own would free the coroutine being
** resumed under a timer still armed to preempt it. */
static int os_exit(lua_State *L) {
  lx_runtime *rt = (lx_runtime *)lua_touserdata(L, lua_upvalueindex(1));
  int status;
  if (lua_isboolean(L, 1))
    status = lua_toboolean(L, 1) ? EXIT_SUCCESS : EXIT_FAILURE;
  else
    status = (int)luaL_optinteger(L, 1, EXIT_SUCCESS);
  if (lua_toboolean(L, 2)) {
    lx_preempt_free();
    lx_runtime_free(rt);
  }
  exit(status);
}

static int preload(lua_State *L) {
  lx_runtime *rt = (lx_runtime *)lua_touserdata(L, 1);
  const lx_embedded *e;
  if (lua_toboolean(L, 2)) {    /* -E: as lua.c, before package opens */
    lua_pushboolean(L, 1);
    lua_setfield(L, LUA_REGISTRYINDEX, "LUA_NOENV");
  }
  luaL_openlibs(L);
  lx_preempt_wrap_debug(L);
  lua_getglobal(L, "os");
  lua_pushvalue(L, 1);
  lua_pushcclosure(L, os_exit, 1);
  lua_setfield(L, -2, "exit");
  lua_pop(L, 1);
  save_env(L);
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
  lua_pushlightuserdata(L, rt);
  lua_pushcclosure(L, open_core, 1);
  lua_setfield(L, -2, "lactor.core");
  lua_pushcfunction(L, luaopen_cjson);
  lua_setfield(L, -2, "cjson");
  for (e = lx_embedded_files; e->module; e++) {
    lua_pushlightuserdata(L, (void *)e);
    lua_pushcclosure(L, load_embedded, 1);
    lua_setfield(L, -2, e->module);
  }
  lua_getglobal(L, "require");
  lua_pushliteral(L, "lactor");
  lua_call(L, 1, 1);
  lua_setglobal(L, "lactor");
  return 0;
}

/* Called as luaL_requiref's openf: runs the preload entry of module
** (argument 1), as require's first searcher does. */
static int open_preloaded(lua_State *L) {
  const char *module = luaL_checkstring(L, 1);
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
  if (lua_getfield(L, -1, module) == LUA_TNIL)
    return luaL_error(L, "module '%s' is not embedded", module);
  lua_pushvalue(L, 1);
  lua_call(L, 1, 1);
  return 1;
}

static int require_embedded(lua_State *L) {
  luaL_requiref(L, luaL_checkstring(L, 1), open_preloaded, 0);
  return 1;
}

int lx_runtime_require(lua_State *L, const char *module) {
  lua_pushcfunction(L, require_embedded);
  lua_pushstring(L, module);
  return lua_pcall(L, 1, 1, 0);
}

lx_runtime *lx_runtime_new(int debug) {
  lx_runtime *rt = (lx_runtime *)calloc(1, sizeof *rt);
  if (rt == NULL) return NULL;
  rt->L = lx_alloc_newstate();
  if (rt->L == NULL) { free(rt); return NULL; }
  rt->loop = lx_loop_new(rt->L);
  if (rt->loop == NULL) { lx_alloc_close(rt->L); free(rt); return NULL; }
  lx_loop_set_debug(rt->loop, debug);
  return rt;
}

int lx_runtime_open(lx_runtime *rt, int noenv) {
  lua_State *L = rt->L;
  lua_pushcfunction(L, preload);
  lua_pushlightuserdata(L, rt);
  lua_pushboolean(L, noenv);
  return lua_pcall(L, 2, 0, 0);
}

void lx_runtime_free(lx_runtime *rt) {
  lx_loop_close(rt->loop);
  lx_alloc_close(rt->L);
  lx_loop_free(rt->loop);
  free(rt);
}
