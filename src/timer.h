/*
** Timers: lactor.after and lactor.every.  A timer is a userdata holding
** an ev_timer; while it runs, the anchor table holds it, and it holds its
** callback and arguments (user value 1: {fn, n = N, args...}).  Each firing
** hands the callback to a task of its own (Lua hook "timer_fired").
*/
#ifndef lactor_timer_h
#define lactor_timer_h

#include <lua.h>

#define LX_TIMER_META "lactor.Timer"

/* Registers the Timer metatable.  Upvalue 1 of the bindings: the loop. */
void lx_timer_open(lua_State *L);
int lx_timer_lafter(lua_State *L);    /* lactor.after(s, fn, ...) */
int lx_timer_levery(lua_State *L);    /* lactor.every(s, fn, ...) */
int lx_timer_lcancel_all(lua_State *L);  /* at shutdown */

#endif
