/*
** Futures.  Future:get parks the calling proc on the future's waiter list
** and yields; resolving the future readies every waiter and hands each
** on_done callback to a task of its own.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>

#include "future.h"

enum { PENDING, RESOLVED, FAILED };

/* User values: see future.h. */
enum { UV_VALUE = 1, UV_TRACEBACK = 2, UV_CALLBACKS = 2, NUV = 2 };

/* 40 bytes, 112 with the Udata header and two user values.  The loop is
** not kept here: the bindings have it as an upvalue, waiters and
** deadlines have their own. */
struct lx_future {
  const char *tag;             /* &future_tag: see checkfuture */
  /* The table of the actor that will answer it (ask_future), for the
  ** self-ask check, or NULL.  A bare address, not a reference: a future
  ** is pending only while its owner lives, since an actor's death
  ** settles every future it owes, and the address is only compared with
  ** a worker's owner_id while the future is pending.  &derived_tag for a
  ** future derived from others (core.derive), whose owners are theirs. */
  const void *owner;
  lx_proc *waiters;
  struct deadline *deadline;   /* ask(msg, timeout) while pending */
  int nvals;                   /* values when RESOLVED; ENDS while pending */
  unsigned char state;
  unsigned char observed;      /* read by get, on_done or a combinator */
  unsigned char callbacks;     /* UV_CALLBACKS holds some (while pending) */
  unsigned char showing;       /* inside its own tostring: see f_tostring */
};

/* The timer of an ask with a timeout: a userdata kept in the anchor table
** while it runs; its user value is the future. */
struct deadline {
  ev_timer w;
  lx_future *f;
  lx_loop *loop;
  double after;
};

/* Every binding here has two upvalues: the loop and the Future metatable,
** so that making a future costs no registry lookup by name (this is on
** the path of every ask); the core functions have a third, the actor
** ring (for ask_future), and __tostring the metatable of its guard. */
#define LOOP(L) ((lx_loop *)lua_touserdata(L, lua_upvalueindex(1)))
#define META lua_upvalueindex(2)
#define RING lua_upvalueindex(3)    /* the actor ring (loop.h) */

/* Every future's first word is this address.  A full userdata of a
** future's size that starts with it is a future: checking that costs two
** cheap calls, where fetching and comparing its metatable cost five, and
** get and reply check once per ask each.  (A light userdata has size 0;
** no other userdata can hold this address by chance.) */
static const char future_tag = 'f';

/* The owner of a future derived from others (map, filter, reduce,
** join): while it is pending, its sources are in its value slot. */
static const char derived_tag = 'd';

/* nvals of a pending future that its owner settles when it ends (a stop
** future, a monitor), not by answering a message: waiting for it is a
** deadlock too, said in other words. */
#define ENDS (-1)

static lx_future *checkfuture(lua_State *L, int i) {
  lx_future *f = (lx_future *)lua_touserdata(L, i);
  if (f != NULL && lua_rawlen(L, i) == sizeof *f && f->tag == &future_tag)
    return f;
  luaL_typeerror(L, i, LX_FUTURE_META);
  return NULL;
}

/* Pushes a new pending future; for the bindings, which hold the
** metatable. */
static lx_future *newfuture(lua_State *L) {
  lx_future *f = (lx_future *)lua_newuserdatauv(L, sizeof *f, NUV);
  memset(f, 0, sizeof *f);
  f->tag = &future_tag;
  lua_pushvalue(L, META);
  lua_setmetatable(L, -2);
  return f;
}

/* {===================================================================
** Waiting and waking
** ==================================================================== */

/* Stops the timer of get(timeout) that waiter `p` may have running.  Most
** waits have none: checking first saves two calls. */
static void stop_timer(lx_proc *p) {
  if (ev_is_active(&p->timer) || ev_is_pending(&p->timer))
    ev_timer_stop(lx_loop_ev(p->loop), &p->timer);
}

static void link_waiter(lx_future *f, lx_proc *p) {
  p->waiting_on = f;
  p->wprev = NULL;
  p->wnext = f->waiters;
  if (f->waiters) f->waiters->wprev = p;
  f->waiters = p;
}

void lx_future_unwait(lx_proc *p) {
  lx_future *f = (lx_future *)p->waiting_on;
  if (f == NULL) return;
  if (p->wprev) p->wprev->wnext = p->wnext;
  else f->waiters = p->wnext;
  if (p->wnext) p->wnext->wprev = p->wprev;
  p->wprev = p->wnext = NULL;
  p->waiting_on = NULL;
}

static void stop_deadline(lua_State *L, lx_future *f) {
  struct deadline *d = f->deadline;
  if (d == NULL) return;
  ev_timer_stop(lx_loop_ev(d->loop), &d->w);
  f->deadline = NULL;
  lx_unanchor(L, d);
}

/* Pushes the on_done callbacks of the pending future at `idx`, if it has
** any (see f->callbacks), for settled(): settling overwrites their slot. */
static void take_callbacks(lua_State *L, int idx, lx_future *f) {
  if (f->callbacks) lua_getiuservalue(L, idx, UV_CALLBACKS);
}

/* The future at `idx` (absolute) has just been settled: wake its waiters
** and start its callbacks, which take_callbacks left on top of the stack
** (pops them).  Callbacks run in tasks (Lua hook "spawn_callback"), so
** this never runs user code itself. */
static void settled(lx_loop *lp, lua_State *L, int idx, lx_future *f) {
  lx_proc *p, *prev;
  stop_deadline(L, f);
  /* Newest first in the list (link_waiter): woken oldest first, from its
  ** end, in the order they began to wait. */
  for (p = f->waiters; p && p->wnext; p = p->wnext) {}
  for (; p; p = prev) {
    prev = p->wprev;
    p->wprev = p->wnext = NULL;
    p->waiting_on = NULL;
    stop_timer(p);
    lx_proc_ready(p);
  }
  f->waiters = NULL;
  if (!f->callbacks) return;
  f->callbacks = 0;
  if (lua_type(L, -1) == LUA_TFUNCTION) {
    lua_pushvalue(L, idx);
    lx_hook(lp, L, "spawn_callback", 2);
  }
  else {
    lua_Integer i, n = luaL_len(L, -1);
    for (i = 1; i <= n; i++) {
      lua_rawgeti(L, -1, i);
      lua_pushvalue(L, idx);
      lx_hook(lp, L, "spawn_callback", 2);
    }
    lua_pop(L, 1);
  }
}

/* Resolves the future at `idx` with the `n` values on top of the stack
** (pops them). */
static void resolve(lx_loop *lp, lua_State *L, int idx, lx_future *f,
                    int n) {
  idx = lua_absindex(L, idx);
  if (f->callbacks) {
    take_callbacks(L, idx, f);
    lua_insert(L, -(n + 1));
    lua_pushnil(L);
    lua_setiuservalue(L, idx, UV_CALLBACKS);
  }
  if (n == 1) lua_setiuservalue(L, idx, UV_VALUE);
  else {
    int i;
    lua_createtable(L, n, 0);
    lua_insert(L, -(n + 1));
    for (i = n; i >= 1; i--) lua_rawseti(L, -(i + 1), i);
    lua_setiuservalue(L, idx, UV_VALUE);
  }
  f->nvals = n;
  f->state = RESOLVED;
  settled(lp, L, idx, f);
}

/* Fails the future at `idx` with the error and traceback at `err`, `tb`. */
static void fail(lx_loop *lp, lua_State *L, int idx, lx_future *f, int err,
                 int tb) {
  idx = lua_absindex(L, idx);
  err = lua_absindex(L, err);
  tb = lua_absindex(L, tb);
  take_callbacks(L, idx, f);
  lua_pushvalue(L, err);
  lua_setiuservalue(L, idx, UV_VALUE);
  lua_pushvalue(L, tb);
  lua_setiuservalue(L, idx, UV_TRACEBACK);
  f->state = FAILED;
  settled(lp, L, idx, f);
}

/* Pushes the Lua-side error object {kind = "Timeout", ...}. */
static void push_timeout(lua_State *L, double after) {
  char msg[64];
  snprintf(msg, sizeof msg, "timed out after %.14g s", after);
  lx_hook_push(L, "error");
  lua_pushliteral(L, "Timeout");
  lua_pushstring(L, msg);
  lua_call(L, 2, 1);
}

/* deadline_fire(f, after, loop): fails f with Timeout.  Runs protected,
** from C: no upvalues. */
static int deadline_fire(lua_State *L) {
  lx_future *f = (lx_future *)luaL_checkudata(L, 1, LX_FUTURE_META);
  lx_loop *lp = (lx_loop *)lua_touserdata(L, 3);
  push_timeout(L, lua_tonumber(L, 2));
  lua_pushnil(L);
  fail(lp, L, 1, f, -2, -1);
  return 0;
}

static void on_deadline(struct ev_loop *ev, ev_timer *w, int revents) {
  struct deadline *d = (struct deadline *)w;
  lx_future *f = d->f;
  lx_loop *lp = d->loop;
  lua_State *L = lx_loop_L(lp);
  (void)ev; (void)revents;
  lua_pushcfunction(L, deadline_fire);
  lx_push_anchored(L, d);             /* the timer, holding the future */
  lua_getiuservalue(L, -1, 1);
  lua_remove(L, -2);
  lua_pushnumber(L, d->after);
  lua_pushlightuserdata(L, lp);
  f->deadline = NULL;
  lx_unanchor(L, d);
  if (lua_pcall(L, 3, 0, 0) != LUA_OK) {
    size_t len;
    const char *msg = luaL_tolstring(L, -1, &len);
    lx_report(msg, len);
    lua_pop(L, 2);
    lx_loop_fail(lp);
  }
}

/* }=================================================================== */

/* {===================================================================
** Methods
** ==================================================================== */

/* Pushes the values of the settled future at index 1, or raises its
** error.  What is on the stack above it does not matter: the caller
** returns the values pushed. */
static int results(lua_State *L, lx_future *f) {
  if (f->state == FAILED) {
    lua_getiuservalue(L, 1, UV_VALUE);
    return lua_error(L);
  }
  if (f->nvals == 1) {
    lua_getiuservalue(L, 1, UV_VALUE);
    return 1;
  }
  if (f->nvals == 0) return 0;
  {
    int i;
    luaL_checkstack(L, f->nvals, "too many results");
    int t;
    lua_getiuservalue(L, 1, UV_VALUE);
    t = lua_gettop(L);
    for (i = 1; i <= f->nvals; i++) lua_rawgeti(L, t, i);
    return f->nvals;
  }
}

static int get_done(lua_State *L, int status, lua_KContext ctx) {
  lx_future *f = (lx_future *)lua_touserdata(L, 1);   /* f_get checked it */
  lx_proc *p = lx_proc_of(L);
  (void)status; (void)ctx;
  if (p == NULL || p->state != LX_RUNNING) return lx_proc_resumed(L);
  if (f->state == PENDING) {       /* the timer fired first */
    p->timed_out = 0;
    push_timeout(L, lua_tonumber(L, 2));
    return lua_error(L);
  }
  stop_timer(p);
  f->observed = 1;             /* read: a get that timed out did not */
  return results(L, f);
}

/* Sources of derived futures deeper than this are not looked at: the
** deadlock is then found when the run ends, as any other. */
#define DERIVED_DEPTH 100

static lx_future *source_owed_by(lua_State *L, const void *id, int depth);

/* The pending future at `idx`, or one it derives from, that the actor
** `id` owes (see struct lx_future), or NULL.  Only sources still pending
** are looked at: their owners live. */
static lx_future *owed_by(lua_State *L, int idx, lx_future *f,
                          const void *id, int depth) {
  lx_future *found = NULL;
  if (f->owner == id) return f;
  if (f->owner != &derived_tag || depth >= DERIVED_DEPTH) return NULL;
  luaL_checkstack(L, 2, NULL);
  if (lua_getiuservalue(L, idx, UV_VALUE) == LUA_TTABLE) {
    lua_Integer i, n = (lua_Integer)lua_rawlen(L, -1);
    for (i = 1; i <= n && !found; i++) {
      lua_rawgeti(L, -1, i);
      found = source_owed_by(L, id, depth + 1);
    }
    lua_pop(L, 1);
  }
  else found = source_owed_by(L, id, depth + 1);
  return found;
}

/* owed_by() of the future on top of the stack (popped) if it is pending. */
static lx_future *source_owed_by(lua_State *L, const void *id, int depth) {
  lx_future *s = (lx_future *)lua_touserdata(L, -1);
  lx_future *found = NULL;
  if (s->state == PENDING) found = owed_by(L, lua_gettop(L), s, id, depth);
  lua_pop(L, 1);
  return found;
}

static int f_get(lua_State *L) {
  lx_future *f = checkfuture(L, 1);
  int has_timeout = !lua_isnoneornil(L, 2);
  double timeout = has_timeout ? luaL_checknumber(L, 2) : -1;
  lx_proc *p;
  luaL_argcheck(L, timeout == timeout, 2, "number is NaN");
  if (timeout == HUGE_VAL) {        /* never: a deadlock is one still */
    has_timeout = 0;
    timeout = -1;
  }
  if (f->state != PENDING) {
    f->observed = 1;
    lua_settop(L, 1);
    return results(L, f);
  }
  if (has_timeout && timeout <= 0) {
    push_timeout(L, timeout < 0 ? 0 : timeout);
    return lua_error(L);
  }
  p = lx_proc_of(L);
  if (p == NULL || !lua_isyieldable(L))
    return lx_cannot_wait(L, "wait for a future");
  /* Only a worker serves an actor (its owner), which may be the one
  ** asked. */
  if (p->kind == LX_ACTOR && f->owner != NULL) {
    lx_future *owed = owed_by(L, 1, f, p->owner_id, 0);
    if (owed != NULL && owed->nvals == ENDS)
      return luaL_error(L, "deadlock: an actor cannot wait for its own end");
    if (owed != NULL)
      return luaL_error(L, "deadlock: an actor cannot wait for the reply "
                           "to its own ask");
  }
  link_waiter(f, p);
  p->timed_out = 0;
  if (timeout > 0) {
    struct ev_loop *ev = lx_loop_ev(p->loop);
    ev_now_update(ev);
    ev_timer_set(&p->timer, timeout, 0.);
    ev_timer_start(ev, &p->timer);
  }
  /* lx_proc_park without its checks: made above.  get_done finds f at
  ** 1 and the timeout, if any, at 2, whether it runs as the continuation
  ** or at once, when p's turn came round while it ran the loop's turns
  ** itself (an ask's reply, most often). */
  p->state = LX_WAITING;
  if (lx_loop_run_ahead(p->loop, p)) return get_done(L, LUA_YIELD, 0);
  return lua_yieldk(L, 0, 0, get_done);
}

static int f_set(lua_State *L) {
  lx_future *f = checkfuture(L, 1);
  if (f->state != PENDING) return luaL_error(L, "future is already resolved");
  resolve(LOOP(L), L, 1, f, lua_gettop(L) - 1);
  return 0;
}

static int f_set_exception(lua_State *L) {
  lx_future *f = checkfuture(L, 1);
  luaL_checkany(L, 2);
  if (f->state != PENDING) return luaL_error(L, "future is already resolved");
  lua_settop(L, 3);
  fail(LOOP(L), L, 1, f, 2, 3);
  return 0;
}

static int f_is_ready(lua_State *L) {
  lua_pushboolean(L, checkfuture(L, 1)->state != PENDING);
  return 1;
}

static int f_on_done(lua_State *L) {
  lx_future *f = checkfuture(L, 1);
  luaL_checktype(L, 2, LUA_TFUNCTION);
  f->observed = 1;
  if (f->state != PENDING) {          /* on the next turn */
    lua_pushvalue(L, 1);
    lx_hook_push(L, "spawn_callback");
    lua_insert(L, 2);
    lua_call(L, 2, 0);
    return 0;
  }
  if (!f->callbacks) {
    f->callbacks = 1;
    lua_pushvalue(L, 2);
    lua_setiuservalue(L, 1, UV_CALLBACKS);
    return 0;
  }
  switch (lua_getiuservalue(L, 1, UV_CALLBACKS)) {
    case LUA_TFUNCTION:
      lua_createtable(L, 2, 0);
      lua_insert(L, -2);
      lua_rawseti(L, -2, 1);
      lua_pushvalue(L, 2);
      lua_rawseti(L, -2, 2);
      lua_setiuservalue(L, 1, UV_CALLBACKS);
      break;
    default:
      lua_pushvalue(L, 2);
      lua_rawseti(L, -2, luaL_len(L, -2) + 1);
  }
  return 0;
}

/* f:_error() → true, error, traceback if f failed, else false.  Used by
** the combinators. */
static int f_error(lua_State *L) {
  lx_future *f = checkfuture(L, 1);
  lua_pushboolean(L, f->state == FAILED);
  if (f->state != FAILED) return 1;
  lua_getiuservalue(L, 1, UV_VALUE);
  lua_getiuservalue(L, 1, UV_TRACEBACK);
  return 3;
}

/* Clears the `showing` flag of the future it points to, whichever way
** f_tostring leaves (a value's __tostring may raise). */
static int showing_done(lua_State *L) {
  lx_future **pf = (lx_future **)lua_touserdata(L, 1);
  (*pf)->showing = 0;
  return 0;
}

/* A future that holds itself, directly or through others, is shown as
** Future(...) inside itself, as Python shows a list that holds itself,
** rather than recursing until the C stack overflows. */
static int f_tostring(lua_State *L) {
  lx_future *f = checkfuture(L, 1);
  lx_future **pf;
  int i, parts;
  lua_settop(L, 1);
  if (f->state == PENDING) {
    lua_pushliteral(L, "Future(pending)");
    return 1;
  }
  if (f->showing) {
    lua_pushliteral(L, "Future(...)");
    return 1;
  }
  pf = (lx_future **)lua_newuserdatauv(L, sizeof *pf, 0);   /* 2 */
  *pf = f;
  lua_pushvalue(L, lua_upvalueindex(3));    /* its metatable: __close */
  lua_setmetatable(L, 2);
  lua_toclose(L, 2);
  f->showing = 1;
  lua_getiuservalue(L, 1, UV_VALUE);        /* 3: value(s) or error */
  if (f->state == FAILED) {
    lua_pushliteral(L, "Future(failed: ");
    luaL_tolstring(L, 3, NULL);
    parts = 2;
  }
  else if (f->nvals == 0) {
    lua_pushliteral(L, "Future(ok");
    parts = 1;
  }
  else {
    luaL_checkstack(L, 2 * f->nvals + 2, "too many values");
    lua_pushliteral(L, "Future(ok: ");
    for (i = 1; i <= f->nvals; i++) {
      if (i > 1) lua_pushliteral(L, ", ");
      if (f->nvals == 1) lua_pushvalue(L, 3);
      else lua_rawgeti(L, 3, i);
      luaL_tolstring(L, -1, NULL);
      lua_remove(L, -2);
    }
    parts = 2 * f->nvals;
  }
  lua_pushliteral(L, ")");
  lua_concat(L, parts + 1);
  return 1;
}

static const luaL_Reg methods[] = {
  {"get", f_get},
  {"set", f_set},
  {"set_exception", f_set_exception},
  {"is_ready", f_is_ready},
  {"on_done", f_on_done},
  {"_error", f_error},
  {NULL, NULL}
};

static const luaL_Reg meta[] = {
  {"__index", NULL},
  {NULL, NULL}
};

/* }=================================================================== */

/* {===================================================================
** Bindings
** ==================================================================== */

static int l_new(lua_State *L) {
  newfuture(L);
  return 1;
}

/* core.ask_future(actor [, timeout [, queue]]): the future of an ask to
** `actor` (its table), which must not wait for it itself.  With `queue`
** true, also queues the actor, as core.queue does: an ask to an idle
** actor then costs one call into C, not two. */
static int l_ask(lua_State *L) {
  lx_loop *lp = LOOP(L);
  lx_future *f;
  int has_timeout = !lua_isnoneornil(L, 2);
  double timeout = has_timeout ? luaL_checknumber(L, 2) : 0;
  int queue = lua_toboolean(L, 3);
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_argcheck(L, timeout == timeout, 2, "number is NaN");
  if (timeout == HUGE_VAL) has_timeout = 0;   /* never, as in get */
  if (timeout < 0) timeout = 0;     /* past already: times out at once */
  f = newfuture(L);                 /* on top: what is returned */
  f->owner = lua_topointer(L, 1);
  if (has_timeout) {
    struct ev_loop *ev = lx_loop_ev(lp);
    struct deadline *d = (struct deadline *)lua_newuserdatauv(L, sizeof *d, 1);
    lua_pushvalue(L, -2);
    lua_setiuservalue(L, -2, 1);
    d->f = f;
    d->loop = lp;
    d->after = timeout;
    f->deadline = d;
    ev_timer_init(&d->w, on_deadline, timeout, 0.);
    ev_now_update(ev);
    ev_timer_start(ev, &d->w);
    lx_anchor(L, d, -1);
    lua_pop(L, 1);
  }
  if (queue) lx_actor_ready(lp, L, RING, 1);   /* last: nothing raises after */
  return 1;
}

/* core.end_future(actor): the future of a stop of `actor` (its table),
** or of a monitor of it: resolved when it ends, so that it must not wait
** for it itself. */
static int l_end_future(lua_State *L) {
  lx_future *f;
  luaL_checktype(L, 1, LUA_TTABLE);
  f = newfuture(L);
  f->owner = lua_topointer(L, 1);
  f->nvals = ENDS;
  return 1;
}

/* core.reply(f, true, ...) or core.reply(f, false, err, traceback):
** resolves f unless it already is (a late reply after a timeout). */
static int l_reply(lua_State *L) {
  lx_future *f = checkfuture(L, 1);
  if (f->state != PENDING) return 0;
  if (lua_toboolean(L, 2)) resolve(LOOP(L), L, 1, f, lua_gettop(L) - 2);
  else {
    lua_settop(L, 4);
    fail(LOOP(L), L, 1, f, 3, 4);
  }
  return 0;
}

/* core.derive(g, f1, ...): g is a pending future that resolves from the
** futures f1, ...: an actor that waits for g waits for them, which the
** self-ask check must see.  Those still pending are kept in g's value
** slot (a future, or a sequence of them) until g settles. */
static int l_derive(lua_State *L) {
  lx_future *g = checkfuture(L, 1);
  int i, n = 0, top = lua_gettop(L);
  luaL_checkstack(L, top, "too many futures");
  for (i = 2; i <= top; i++) {
    lx_future *s = checkfuture(L, i);
    if (s->state == PENDING && s->owner != NULL) {
      lua_pushvalue(L, i);
      n++;
    }
  }
  if (n == 0 || g->state != PENDING || g->owner != NULL) return 0;
  if (n > 1) {
    lua_createtable(L, n, 0);
    lua_insert(L, -(n + 1));
    for (i = n; i >= 1; i--) lua_rawseti(L, -(i + 1), i);
  }
  lua_setiuservalue(L, 1, UV_VALUE);
  g->owner = &derived_tag;
  return 0;
}

/* core.observed(f [, mark]) → whether anything read f. */
static int l_observed(lua_State *L) {
  lx_future *f = checkfuture(L, 1);
  if (lua_toboolean(L, 2)) f->observed = 1;
  lua_pushboolean(L, f->observed);
  return 1;
}

static const luaL_Reg core_funcs[] = {
  {"future", l_new},
  {"ask_future", l_ask},
  {"reply", l_reply},
  {"observed", l_observed},
  {"derive", l_derive},
  {"end_future", l_end_future},
  {NULL, NULL}
};

void lx_future_open(lua_State *L, int core) {
  lx_loop *lp = (lx_loop *)lua_touserdata(L, -1);
  core = lua_absindex(L, core);
  lua_pop(L, 1);
  luaL_newmetatable(L, LX_FUTURE_META);     /* meta */
  lua_pushlightuserdata(L, lp);
  lua_pushvalue(L, -2);
  luaL_setfuncs(L, meta, 2);
  lua_pushlightuserdata(L, lp);             /* __tostring: with the */
  lua_pushvalue(L, -2);                     /* metatable of its guard */
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, showing_done);
  lua_setfield(L, -2, "__close");
  lua_pushcclosure(L, f_tostring, 3);
  lua_setfield(L, -2, "__tostring");
  luaL_newlibtable(L, methods);             /* meta methods */
  lua_pushlightuserdata(L, lp);
  lua_pushvalue(L, -3);
  luaL_setfuncs(L, methods, 2);
  lua_pushvalue(L, -1);
  lua_setfield(L, -3, "__index");
  lua_pushvalue(L, core);                   /* meta methods core */
  lua_pushlightuserdata(L, lp);
  lua_pushvalue(L, -4);
  lx_push_ring(lp, L);
  luaL_setfuncs(L, core_funcs, 3);
  lua_pop(L, 1);
  lua_remove(L, -2);                        /* methods */
}

/* }=================================================================== */
