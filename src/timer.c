/*
** lactor.after and lactor.every.
*/
#include <stdio.h>

#include <lauxlib.h>

#include "loop.h"
#include "timer.h"

struct lx_timer {
  ev_timer w;
  lx_loop *loop;
  lx_timer *prev, *next;   /* the loop's running timers */
  double after, every;
  int running;
};

#define checktimer(L, i) ((lx_timer *)luaL_checkudata(L, i, LX_TIMER_META))
#define LOOP(L) ((lx_loop *)lua_touserdata(L, lua_upvalueindex(1)))

static void stop(lua_State *L, lx_timer *t) {
  lx_timers *all = lx_loop_timers(t->loop);
  if (!t->running) return;
  t->running = 0;
  ev_timer_stop(lx_loop_ev(t->loop), &t->w);
  if (t->prev) t->prev->next = t->next;
  else all->first = t->next;
  if (t->next) t->next->prev = t->prev;
  t->prev = t->next = NULL;
  all->count--;
  lx_unanchor(L, t);
}

static void on_fire(struct ev_loop *ev, ev_timer *w, int revents) {
  lx_timer *t = (lx_timer *)w;
  lx_loop *lp = t->loop;
  lua_State *L = lx_loop_L(lp);
  (void)ev; (void)revents;
  lx_push_anchored(L, t);
  lua_getiuservalue(L, -1, 1);          /* timer {fn, n, args...} */
  if (t->every == 0) stop(L, t);        /* one-shot: done before it runs */
  lx_hook(lp, L, "timer_fired", 2);
}

static int start(lua_State *L, double every) {
  lx_loop *lp = LOOP(L);
  lx_timers *all = lx_loop_timers(lp);
  double after = luaL_checknumber(L, 1);
  luaL_argcheck(L, after == after, 1, "number is NaN");   /* would never fire */
  int i, n = lua_gettop(L) - 1;
  lx_timer *t;
  luaL_checktype(L, 2, LUA_TFUNCTION);
  if (after < 0) after = 0;
  t = (lx_timer *)lua_newuserdatauv(L, sizeof *t, 1);
  t->loop = lp;
  t->after = after;
  t->every = every > 0 ? after : 0;
  t->prev = NULL;
  luaL_setmetatable(L, LX_TIMER_META);
  lua_createtable(L, n, 1);             /* {fn, args..., n = #args} */
  for (i = 1; i <= n; i++) {
    lua_pushvalue(L, i + 1);
    lua_rawseti(L, -2, i);
  }
  lua_pushinteger(L, n - 1);
  lua_setfield(L, -2, "n");
  lua_setiuservalue(L, -2, 1);
  ev_timer_init(&t->w, on_fire, after, t->every);
  /* Below the runner (an idle watcher, which no pending event of its
  ** priority or above may hold back): timers due faster than their
  ** callbacks run would otherwise keep the run queue from ever running,
  ** as input does (input.c). */
  ev_set_priority(&t->w, EV_MINPRI);
  ev_now_update(lx_loop_ev(lp));
  ev_timer_start(lx_loop_ev(lp), &t->w);
  t->running = 1;
  t->next = all->first;
  if (all->first) all->first->prev = t;
  all->first = t;
  all->count++;
  lx_anchor(L, t, -1);
  return 1;
}

int lx_timer_lafter(lua_State *L) { return start(L, 0); }

int lx_timer_levery(lua_State *L) {
  double every = luaL_checknumber(L, 1);
  luaL_argcheck(L, every == every, 1, "number is NaN");
  if (every <= 0)
    return luaL_argerror(L, 1, "interval must be positive");
  return start(L, 1);
}

int lx_timer_lcancel_all(lua_State *L) {
  lx_timers *all = lx_loop_timers(LOOP(L));
  while (all->first) stop(L, all->first);
  return 0;
}

/* timer:cancel(): stops the timer, and a callback it has handed to a task
** that has not started yet (task.lua's timer_fired marks the table
** `queued`, and timer_body skips it once `cancelled`).  True when that
** kept a callback from running. */
static int t_cancel(lua_State *L) {
  lx_timer *t = checktimer(L, 1);
  int kept = t->running;
  stop(L, t);
  lua_settop(L, 1);
  lua_getiuservalue(L, 1, 1);           /* 2: {fn, n, args...} */
  if (!kept && lua_getfield(L, 2, "queued") != LUA_TNIL &&
      lua_getfield(L, 2, "cancelled") == LUA_TNIL)
    kept = 1;
  if (kept) {
    lua_pushboolean(L, 1);
    lua_setfield(L, 2, "cancelled");
  }
  lua_pushboolean(L, kept);
  return 1;
}

static int t_tostring(lua_State *L) {
  char buf[64];
  snprintf(buf, sizeof buf, "Timer(%.14g)", checktimer(L, 1)->after);
  lua_pushstring(L, buf);
  return 1;
}

static const luaL_Reg methods[] = {
  {"cancel", t_cancel},
  {NULL, NULL}
};

static const luaL_Reg meta[] = {
  {"__tostring", t_tostring},
  {"__index", NULL},
  {NULL, NULL}
};

void lx_timer_open(lua_State *L) {
  luaL_newmetatable(L, LX_TIMER_META);
  luaL_setfuncs(L, meta, 0);
  luaL_newlib(L, methods);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
}
