/*
** lactor.core: the C half of the lactor module.  lua/lactor/init.lua
** builds the public module on top of it.  Every binding gets the loop as
** upvalue 1.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>

#include "alloc.h"
#include "future.h"
#include "input.h"
#include "lib_lactor.h"
#include "loop.h"
#include "timer.h"

#define LOOP(L) ((lx_loop *)lua_touserdata(L, lua_upvalueindex(1)))

/* The running proc, or an error naming what cannot be done here. */
static lx_proc *current(lua_State *L, const char *what) {
  lx_proc *p = lx_proc_of(L);
  if (p == NULL || !lua_isyieldable(L)) lx_cannot_wait(L, what);
  return p;
}

/* spawn(kind, owner, fn, ...) → coroutine; kind is "task", "actor" or
** "line" (a REPL line). */
static int l_spawn(lua_State *L) {
  lx_kind kind = (lx_kind)luaL_checkoption(L, 1, NULL, lx_kind_names);
  luaL_checktype(L, 3, LUA_TFUNCTION);
  lx_proc_spawn(LOOP(L), L, kind, 2, lua_gettop(L) - 3);
  return 1;
}

static int park_done(lua_State *L, int status, lua_KContext ctx) {
  (void)status; (void)ctx;
  return lx_proc_resumed(L);
}

/* A free worker is lent again: what the resume passed is its actor. */
static int release_done(lua_State *L, int status, lua_KContext ctx) {
  (void)status; (void)ctx;
  lx_proc_resumed(L);
  return lua_gettop(L) - 1;        /* above the worker's own argument */
}

/* {===================================================================
** Actors and their workers (see loop.h)
** ==================================================================== */

/* queue(actor) → serial: the actor has something to do; a worker will
** serve it in its turn.  The serial orders it among procs and actors. */
static int l_queue(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_pushinteger(L, lx_actor_ready(LOOP(L), L, lua_upvalueindex(2), 1));
  return 1;
}

/* The worker calling, which passes its own proc as argument 1. */
static lx_proc *worker(lua_State *L) {
  lx_proc *p = (lx_proc *)lua_touserdata(L, 1);
  if (p == NULL || p != lx_proc_of(L) || p->kind != LX_ACTOR)
    luaL_argerror(L, 1, "the running worker expected");
  return p;
}

/* next_actor(worker) → the next actor the worker serves: the one queued
** next if the run queue goes on with an actor; else the worker waits in
** the pool (keeping its last actor as owner, see lx_set_owner) until it
** is lent to one.  Returns nothing when the pool is full: the worker
** should end. */
static int l_next_actor(lua_State *L) {
  lx_proc *p = worker(L);
  if (lx_actor_next(LOOP(L), L, lua_upvalueindex(2), p)) {
    lx_set_owner(L, p, 1, -1);
    return 1;
  }
  if (!lua_isyieldable(L) || !lx_worker_free(p)) return 0;
  return lua_yieldk(L, 0, 0, release_done);
}

/* }=================================================================== */

static int l_yield(lua_State *L) {
  lx_proc *p = current(L, "yield");
  lx_proc_ready(p);            /* to the back of the run queue */
  return lua_yieldk(L, 0, 0, park_done);
}

static int l_sleep(lua_State *L) {
  double s = luaL_checknumber(L, 1);
  lx_proc *p;
  luaL_argcheck(L, s == s, 1, "number is NaN");   /* as after and get do */
  p = current(L, "sleep");
  struct ev_loop *ev = lx_loop_ev(LOOP(L));
  ev_now_update(ev);
  ev_timer_set(&p->timer, s > 0 ? s : 0, 0.);
  ev_timer_start(ev, &p->timer);
  return lx_proc_park(L, LX_SLEEPING, 0, park_done);
}

static int l_now(lua_State *L) {
  lua_pushnumber(L, lx_now());
  return 1;
}

/* exit([status]): stops everything and does not return. */
static int l_exit(lua_State *L) {
  lx_loop *lp = LOOP(L);
  int status;
  if (lua_isboolean(L, 1)) status = lua_toboolean(L, 1) ? 0 : 1;
  else status = (int)luaL_optinteger(L, 1, 0);
  lx_loop_shutdown(lp, status);
  if (lx_proc_of(L) == NULL || !lua_isyieldable(L)) {
    /* A script's own coroutine or a C call: no way back to the loop. */
    fflush(stdout);
    exit(status);
  }
  lx_proc_kill(lx_proc_of(L));
  return lua_yield(L, 0);
}

/* kill(co): the proc of `co` never runs again. */
static int l_kill(lua_State *L) {
  lua_State *co = lua_tothread(L, 1);
  lx_proc *p = co ? lx_proc_of(co) : NULL;
  if (p) lx_proc_kill(p);
  return 0;
}

static int l_report(lua_State *L) {
  size_t len;
  const char *msg = luaL_checklstring(L, 1, &len);
  lx_report(msg, len);
  return 0;
}

static int l_fail(lua_State *L) {
  lx_loop_fail(LOOP(L));
  return 0;
}

static int l_set_hooks(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lx_loop_set_hooks(L, 1);
  return 0;
}

/* turn_due() → whether a worker whose mailbox never runs dry should
** yield between two messages (see lx_loop_mailbox_turn_due). */
static int l_turn_due(lua_State *L) {
  lua_pushboolean(L, lx_loop_mailbox_turn_due(LOOP(L)));
  return 1;
}

/* finishing(on): marks the running proc as inside a dead actor's
** on_stop or on_failure, or no longer (see lx_loop_shutdown). */
static int l_finishing(lua_State *L) {
  lx_proc *p = lx_proc_of(L);
  if (p != NULL) p->finishing = lua_toboolean(L, 1);
  return 0;
}

/* shutting_down() → whether the run is ending: lactor.exit, a signal, a
** deadlock. */
static int l_shutting_down(lua_State *L) {
  lua_pushboolean(L, lx_loop_shutting_down(LOOP(L)));
  return 1;
}

static int l_debug(lua_State *L) {
  lua_pushboolean(L, lx_loop_debug(LOOP(L)));
  return 1;
}

/* counts() → running timers, unfinished tasks, bytes of memory in use */
static int l_counts(lua_State *L) {
  lua_pushinteger(L, lx_loop_timers(LOOP(L))->count);
  lua_pushinteger(L, lx_loop_count(LOOP(L), LX_TASK));
  lua_pushinteger(L, (lua_Integer)lx_alloc_in_use(L));
  return 3;
}

/* {===================================================================
** Looking inside: the procs the loop knows and their states, for
** lactor.ps and lactor.dump (lua/lactor/inspect.lua).
** ==================================================================== */

static const char *const state_names[] = {
  [LX_READY] = "ready", [LX_RUNNING] = "running", [LX_WAITING] = "waiting",
  [LX_SLEEPING] = "sleeping", [LX_FREE] = "free", [LX_DONE] = "done"
};

/* procs() → {{kind =, co =, owner =, serial =}, ...}: every unfinished
** proc, oldest first. */
static int l_procs(lua_State *L) {
  lx_proc *p;
  int n = 0;
  lua_newtable(L);
  for (p = lx_loop_first(LOOP(L)); p; p = p->next_all) {
    if (p->state == LX_DONE) continue;     /* killed, not yet dropped */
    lua_createtable(L, 0, 4);
    lua_pushstring(L, lx_kind_names[p->kind]);
    lua_setfield(L, -2, "kind");
    lua_pushinteger(L, p->serial);
    lua_setfield(L, -2, "serial");
    lx_push_anchored(L, p);                /* the proc; leaves co alone */
    lua_getiuservalue(L, -1, 1);           /* coroutine */
    lua_setfield(L, -3, "co");
    lua_getiuservalue(L, -1, 2);           /* owner */
    lua_setfield(L, -3, "owner");
    lua_pop(L, 1);
    lua_rawseti(L, -2, ++n);
  }
  return 1;
}

/* state(co) → "ready", "running", "waiting" (in get), "sleeping", "free"
** (a worker serving no actor) or "done"; nil for a coroutine that is not
** a proc. */
static int l_state(lua_State *L) {
  lua_State *co;
  lx_proc *p;
  luaL_checktype(L, 1, LUA_TTHREAD);
  co = lua_tothread(L, 1);
  p = lx_proc_of(co);
  if (p == NULL) return 0;
  lua_pushstring(L, state_names[p->state]);
  return 1;
}

/* }=================================================================== */

/* {===================================================================
** UUIDs: version 4, from a generator seeded by the kernel, so scripts
** that seed math.random cannot make two actors share a urn.
** ==================================================================== */

static uint64_t rng_state;

static uint64_t splitmix64(void) {
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* One string built in place: longer than LUAI_MAXSHORTLEN, so Lua neither
** hashes nor interns it (concatenating a prefix did both, and cost a
** third of starting an actor).  Each byte is written as a two-digit pair
** at a fixed offset of the template: no branch per digit. */
static int l_uuid(lua_State *L) {
  static const char hex[] = "0123456789abcdef";
  static const unsigned char at[16] = {            /* where byte i goes */
    9, 11, 13, 15, 18, 20, 23, 25, 28, 30, 33, 35, 37, 39, 41, 43
  };
  char s[] = "urn:uuid:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
  unsigned char b[16];
  uint64_t hi = splitmix64(), lo = splitmix64();
  int i;
  memcpy(b, &hi, 8);
  memcpy(b + 8, &lo, 8);
  b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);   /* version 4 */
  b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);   /* RFC 4122 variant */
  for (i = 0; i < 16; i++) {
    s[at[i]] = hex[b[i] >> 4];
    s[at[i] + 1] = hex[b[i] & 15];
  }
  lua_pushlstring(L, s, sizeof s - 1);
  return 1;
}

static void seed(void) {
  if (getrandom(&rng_state, sizeof rng_state, 0) != sizeof rng_state)
    rng_state = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
}

/* }=================================================================== */

/* These also hold the actor ring, as their second upvalue. */
static const luaL_Reg ring_funcs[] = {
  {"queue", l_queue},
  {"next_actor", l_next_actor},
  {NULL, NULL}
};

static const luaL_Reg funcs[] = {
  {"spawn", l_spawn},
  {"yield", l_yield},
  {"sleep", l_sleep},
  {"now", l_now},
  {"exit", l_exit},
  {"kill", l_kill},
  {"report", l_report},
  {"fail", l_fail},
  {"set_hooks", l_set_hooks},
  {"debug", l_debug},
  {"finishing", l_finishing},
  {"shutting_down", l_shutting_down},
  {"turn_due", l_turn_due},
  {"counts", l_counts},
  {"procs", l_procs},
  {"state", l_state},
  {"uuid", l_uuid},
  {"input_attach", lx_input_lattach},
  {"input_close", lx_input_lclose},
  {"input_defaults", lx_input_ldefaults},
  {"input_rejected", lx_input_lrejected},
  {"after", lx_timer_lafter},
  {"every", lx_timer_levery},
  {"cancel_timers", lx_timer_lcancel_all},
  {NULL, NULL}
};

/* core.api: the functions lactor exports as they are (lactor.after, ...),
** as closures of their own.  luaL_argerror names a function called with
** no name (pcall(lactor.after, "x")) by looking for it in package.loaded,
** and would find the very same closure as lactor.core's about as often as
** lactor's: which comes first in a table walk changes from run to run. */
static void push_api(lua_State *L, int core) {
  static const char *const names[] = {
    "future", "sleep", "yield", "now", "after", "every", "exit", NULL
  };
  int i;
  lua_createtable(L, 0, 7);
  for (i = 0; names[i]; i++) {
    int n = 0;
    lua_CFunction f;
    lua_getfield(L, core, names[i]);
    f = lua_tocfunction(L, -1);
    while (lua_getupvalue(L, -(n + 1), n + 1) != NULL) n++;
    lua_pushcclosure(L, f, n);
    lua_remove(L, -2);
    lua_setfield(L, -2, names[i]);
  }
}

/* Opens lactor.core on `lp`; pushes the module table. */
int lx_open_core(lua_State *L, lx_loop *lp) {
  seed();
  luaL_newlibtable(L, funcs);
  lua_pushlightuserdata(L, lp);
  luaL_setfuncs(L, funcs, 1);
  lua_pushlightuserdata(L, lp);
  lx_push_ring(lp, L);
  luaL_setfuncs(L, ring_funcs, 2);
  lua_pushlightuserdata(L, lp);
  lx_future_open(L, -2);
  lua_setfield(L, -2, "Future");
  lx_timer_open(L);
  push_api(L, lua_gettop(L));
  lua_setfield(L, -2, "api");
  return 1;
}
