/*
** The one event loop.  Procs and actors wait in a FIFO run queue; an idle
** watcher, active only while the queue is not empty, resumes them one
** after the other through resume(), the one place where C enters a proc
** (an actor runs on a worker proc lent to it: see loop.h).  When ev_run
** returns, nothing can happen any more: lx_loop_run then decides between
** a deadlock report, stopping the idle actors, and the end.
*/
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>

#include "future.h"
#include "loop.h"
#include "preempt.h"

struct lx_loop {
  lua_State *L;              /* the main thread: never runs user code */
  struct ev_loop *ev;
  ev_idle runner;            /* active while the run queue is not empty */
  ev_prepare flusher;        /* flushes stdout before the loop blocks */
  ev_async wakeup;           /* SIGINT or SIGTERM arrived */
  ev_signal sigusr1;         /* writes every proc's traceback (hook "dump") */
  lx_entry *head, *tail;     /* run queue */
  lx_entry *spare;           /* unused runs of actors, for reuse */
  lx_proc *first, *last;     /* every unfinished proc, oldest first */
  lx_proc *pool;             /* free workers, linked through run.next */
  int npool;
  int ring_first, ring_count, ring_size;   /* the actor ring, below */
  int ring_ref;              /* its registry slot (see lx_push_ring) */
  double run_start;          /* when the runner started draining */
  unsigned ran;              /* entries it took since */
  int out_of_time;           /* time_up() said so: until the next pass */
  lua_Integer serial;        /* procs and actors created so far */
  int status;                /* exit status so far */
  int status_final;          /* lactor.exit or a signal chose it */
  int shutting_down;
  int closed;                /* lua_close runs: the run queue takes nothing */
  int debug;
  lx_timers timers;
  int nprocs[LX_NKINDS];     /* unfinished procs by kind */
  lx_proc *host;             /* waits in lx_loop_run_ahead, or NULL */
  uintptr_t c_base;          /* the C stack where the runner resumes procs */
  void (*repl_end)(void *);  /* lx_loop_set_repl: SIGINT is the REPL's */
  void *repl_ud;
};

static const char anchors_key = 'a';  /* registry: what C holds */
static const char hooks_key = 'h';  /* registry: Lua-side hooks */

/* Free workers kept for the next actors; more would only hold memory.
** A worker lent to an actor goes on to the actors queued right behind it
** without a trip through the runner, so few are ever free at once. */
#define POOL_MAX 64

const char *const lx_kind_names[LX_NKINDS + 1] = {
  [LX_MAIN] = "main", [LX_TASK] = "task", [LX_ACTOR] = "actor",
  [LX_LINE] = "line", [LX_NKINDS] = NULL
};

double lx_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void lx_report(const char *msg, size_t len) {
  fflush(stdout);
  fputs("lactor: ", stderr);
  fwrite(msg, 1, len, stderr);
  fputc('\n', stderr);
  fflush(stderr);
}

/* {===================================================================
** Procs
** ==================================================================== */

static void on_timer(struct ev_loop *ev, ev_timer *w, int revents);
static int stop_signal_pending(void);

/* Takes p out of the list of unfinished procs (link_proc puts it in). */
static void unlink_proc(lx_loop *lp, lx_proc *p) {
  if (p->prev_all) p->prev_all->next_all = p->next_all;
  else lp->first = p->next_all;
  if (p->next_all) p->next_all->prev_all = p->prev_all;
  else lp->last = p->prev_all;
  p->prev_all = p->next_all = NULL;
  lp->nprocs[p->kind]--;
}

/* Drops a finished proc: out of the list of procs and the proc table. */
static void finish(lx_loop *lp, lx_proc *p) {
  lua_State *L = lp->L;
  ev_timer_stop(lp->ev, &p->timer);
  unlink_proc(lp, p);
  /* The coroutine may outlive its proc (a script kept it): it is no
  ** proc's any more. */
  *(lx_proc **)lua_getextraspace(p->co) = NULL;
  lx_unanchor(L, p);
}

void lx_anchor(lua_State *L, const void *key, int idx) {
  idx = lua_absindex(L, idx);
  lua_rawgetp(L, LUA_REGISTRYINDEX, &anchors_key);
  lua_pushvalue(L, idx);
  lua_rawsetp(L, -2, key);
  lua_pop(L, 1);
}

void lx_unanchor(lua_State *L, const void *key) {
  lua_rawgetp(L, LUA_REGISTRYINDEX, &anchors_key);
  lua_pushnil(L);
  lua_rawsetp(L, -2, key);
  lua_pop(L, 1);
}

void lx_push_anchored(lua_State *L, const void *key) {
  lua_rawgetp(L, LUA_REGISTRYINDEX, &anchors_key);
  lua_rawgetp(L, -1, key);
  lua_remove(L, -2);
}

/* Puts p at the end of the list of unfinished procs. */
static void link_proc(lx_loop *lp, lx_proc *p) {
  p->prev_all = lp->last;
  p->next_all = NULL;
  if (lp->last) lp->last->next_all = p;
  else lp->first = p;
  lp->last = p;
  lp->nprocs[p->kind]++;
}

/* Makes a proc running the function below its `nargs` arguments on top
** of L (pops them all; a worker also gets its own proc as its first
** argument) and pushes its coroutine.  It is not queued yet. */
static lx_proc *new_proc(lx_loop *lp, lua_State *L, lx_kind kind, int owner,
                         int nargs, int worker) {
  lua_State *co;
  lx_proc *p;
  owner = lua_absindex(L, owner);
  co = lua_newthread(L);
  /* The function and its arguments move onto the new stack, which starts
  ** with room for LUA_MINSTACK values only. */
  if (!lua_checkstack(co, nargs + 2))
    luaL_error(L, "too many arguments");
  p = (lx_proc *)lua_newuserdatauv(L, sizeof *p, 2);
  memset(p, 0, sizeof *p);
  lua_pushvalue(L, -2);
  lua_setiuservalue(L, -2, 1);     /* the proc anchors its coroutine */
  lua_pushvalue(L, owner);
  lua_setiuservalue(L, -2, 2);
  p->owner_id = lua_topointer(L, owner);
  lx_anchor(L, p, -1);
  if (worker) {                    /* ... fn args co p */
    lua_insert(L, -(nargs + 2));   /* ... fn p args co */
    nargs++;
  }
  else lua_pop(L, 1);              /* ... fn args co */
  lua_insert(L, -(nargs + 2));     /* ... co fn args */
  lua_xmove(L, co, nargs + 1);
  *(lx_proc **)lua_getextraspace(co) = p;
  p->co = co;
  p->loop = lp;
  p->kind = kind;
  p->nargs = nargs;
  p->serial = ++lp->serial;
  ev_init(&p->timer, on_timer);
  p->timer.data = p;
  link_proc(lp, p);
  p->state = LX_FREE;              /* so far in no list but the procs' */
  return p;
}

lx_proc *lx_proc_spawn(lx_loop *lp, lua_State *L, lx_kind kind, int owner,
                       int nargs) {
  lx_proc *p = new_proc(lp, L, kind, owner, nargs, 0);
  lx_proc_ready(p);
  return p;
}

/* Appends an entry to the run queue. */
static void enqueue(lx_loop *lp, lx_entry *e) {
  if (lp->closed) return;
  e->next = NULL;
  if (lp->tail) lp->tail->next = e;
  else {
    lp->head = e;
    if (!ev_is_active(&lp->runner)) ev_idle_start(lp->ev, &lp->runner);
  }
  lp->tail = e;
}

/* Takes the first entry off the run queue. */
static void dequeue(lx_loop *lp) {
  lx_entry *e = lp->head;
  lp->head = e->next;
  if (lp->head == NULL) lp->tail = NULL;
  e->next = NULL;
}

void lx_proc_ready(lx_proc *p) {
  if (p->state == LX_READY || p->state == LX_DONE) return;
  p->state = LX_READY;
  enqueue(p->loop, &p->run);
}

int lx_proc_resumed(lua_State *L) {
  lx_proc *p = lx_proc_of(L);
  if (p == NULL || p->state != LX_RUNNING)
    return luaL_error(L, "a coroutine lactor runs cannot be resumed "
                         "by coroutine.resume");
  return 0;
}

/* A coroutine that could yield but is no proc is one the script created
** (coroutine.wrap): its yields go to the script, not to the loop.
** Saying it "cannot yield" would contradict coroutine.isyieldable(). */
int lx_cannot_wait(lua_State *L, const char *what) {
  if (lx_proc_of(L) == NULL && lua_isyieldable(L))
    return luaL_error(L, "cannot %s here: a coroutine the script created "
                         "cannot wait", what);
  return luaL_error(L, "cannot %s here: the coroutine cannot yield", what);
}

int lx_proc_park(lua_State *L, lx_state state, lua_KContext ctx,
                 lua_KFunction k) {
  lx_proc *p = lx_proc_of(L);
  if (p == NULL || !lua_isyieldable(L)) return lx_cannot_wait(L, "wait");
  p->state = state;
  return lua_yieldk(L, 0, ctx, k);
}

void lx_proc_kill(lx_proc *p) {
  lx_state was = p->state;
  if (was == LX_DONE || was == LX_FREE) return;   /* a free worker runs nothing */
  if (was == LX_WAITING) lx_future_unwait(p);
  p->state = LX_DONE;
  /* A queued proc is dropped when the runner reaches it, a running one
  ** (or the host of lx_loop_run_ahead, still in its Future:get) when
  ** resume() gets control back: they still need their anchor. */
  if (was != LX_READY && was != LX_RUNNING && p != p->loop->host)
    finish(p->loop, p);
  else ev_timer_stop(p->loop->ev, &p->timer);
}

/* Has the runner drained the run queue for long enough?  Busy actors
** must not starve timers and I/O: the loop gets a turn every few ms.
** Counts the entry taken; reads the clock every 256 of them.  Once it
** says yes, it keeps saying so until the runner's next pass, so that a
** worker that yielded for it (lx_loop_turn_due) makes the runner stop
** too. */
#define RUNNER_TIME 0.005      /* seconds the runner drains before a turn */

/* Looks at the clock: has the runner drained for `limit` seconds yet? */
static int clock_up(lx_loop *lp, double limit) {
  if (!lp->out_of_time && ev_time() - lp->run_start > limit)
    lp->out_of_time = 1;
  return lp->out_of_time;
}

static int time_up(lx_loop *lp) {
  if (!lp->out_of_time && (++lp->ran & 255) == 0) clock_up(lp, RUNNER_TIME);
  return lp->out_of_time;
}

/* {===================================================================
** Actors in the run queue
**
** An actor's place in the run queue is an entry counting how many actors
** are queued there in a row, and the actors themselves wait in the actor
** ring, a Lua table used as a circular buffer (slots 1..ring_size), in
** the same order.  Ping-pong between actors and fork-join bursts thus
** cost no allocation per message.
** ==================================================================== */

/* The runner fetches the ring once per actor it lends a worker to: an
** integer key (luaL_ref) is an array read, cheaper than the hash lookup
** of an address key. */
void lx_push_ring(lx_loop *lp, lua_State *L) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, lp->ring_ref);
}

/* Doubles the ring at `ring` in place: the actors that wrapped around to
** the start move to just past the old end, so the ring is in order from
** ring_first again.  A full ring is a full array, and setting its slot
** 2 * size doubles that array at once: the one allocation, which may
** fail, comes before anything moves (the moves then allocate nothing). */
static void grow_ring(lx_loop *lp, lua_State *L, int ring) {
  int i, size = lp->ring_size;
  lua_pushboolean(L, 1);
  lua_rawseti(L, ring, 2 * size);
  lua_pushnil(L);
  lua_rawseti(L, ring, 2 * size);
  for (i = 0; i < lp->ring_first; i++) {
    lua_rawgeti(L, ring, i + 1);
    lua_rawseti(L, ring, size + i + 1);
    lua_pushnil(L);
    lua_rawseti(L, ring, i + 1);
  }
  lp->ring_size = 2 * size;
}

/* What may fail for memory comes first, so that the counts never count
** an actor that is not in the ring. */
lua_Integer lx_actor_ready(lx_loop *lp, lua_State *L, int ring, int idx) {
  lx_entry *e = lp->tail;
  if (lp->closed) return ++lp->serial;
  if (lp->ring_count == lp->ring_size) grow_ring(lp, L, ring);
  if (e == NULL || e->actors == 0) {
    e = lp->spare;
    if (e) lp->spare = e->next;
    else if ((e = (lx_entry *)malloc(sizeof *e)) == NULL)
      luaL_error(L, "not enough memory");
    e->actors = 0;
    enqueue(lp, e);
  }
  lua_pushvalue(L, idx);               /* into the array: no allocation */
  lua_rawseti(L, ring, (lp->ring_first + lp->ring_count) % lp->ring_size + 1);
  lp->ring_count++;
  e->actors++;
  return ++lp->serial;
}

/* Takes the first actor off the run queue, whose head is a run of
** actors, and pushes it onto L. */
static void pop_actor(lx_loop *lp, lua_State *L, int ring) {
  lx_entry *e = lp->head;
  int slot = lp->ring_first + 1;
  lua_rawgeti(L, ring, slot);
  lua_pushnil(L);
  lua_rawseti(L, ring, slot);
  lp->ring_first = slot % lp->ring_size;
  lp->ring_count--;
  if (--e->actors == 0) {
    dequeue(lp);
    e->next = lp->spare;
    lp->spare = e;
  }
}

/* Lends a worker to the first actor of the run queue: a free one, or a
** new one.  Returns it ready to be resumed with the actor. */
static lx_proc *lend_worker(lx_loop *lp) {
  lua_State *L = lp->L;
  lx_proc *p = lp->pool;
  lx_push_ring(lp, L);
  pop_actor(lp, L, lua_gettop(L));     /* ring actor */
  if (p == NULL) {
    lx_hook_push(L, "worker");
    lua_replace(L, -3);                /* worker actor */
    p = new_proc(lp, L, LX_ACTOR, -1, 1, 1);
    lua_pop(L, 1);                     /* its coroutine */
    return p;
  }
  lp->pool = (lx_proc *)p->run.next;
  lp->npool--;
  p->run.next = NULL;
  lx_set_owner(L, p, 0, -1);
  lua_xmove(L, p->co, 1);              /* what next_actor() returns */
  lua_pop(L, 1);                       /* the ring */
  p->nargs = 1;
  link_proc(lp, p);
  return p;
}

/* A free worker keeps its last actor as owner: an actor that keeps
** coming back (ask after ask) then gets it again without a write. */
void lx_set_owner(lua_State *L, lx_proc *p, int proc, int idx) {
  const void *id = lua_topointer(L, idx);
  if (p->owner_id == id) return;
  p->owner_id = id;
  lua_pushvalue(L, idx);
  if (proc != 0) {
    lua_setiuservalue(L, proc, 2);
    return;
  }
  lx_push_anchored(L, p);
  lua_insert(L, -2);
  lua_setiuservalue(L, -2, 2);
  lua_pop(L, 1);
}

int lx_actor_next(lx_loop *lp, lua_State *L, int ring, lx_proc *p) {
  lx_entry *e = lp->head;
  if (e == NULL || e->actors == 0 || p->state != LX_RUNNING) return 0;
  if (lx_loop_turn_due(lp)) return 0;  /* the runner's checks */
  pop_actor(lp, L, ring);
  p->ctrl_c = 0;                       /* the last actor was no runaway */
  lx_preempt_enter(p);                 /* a fresh slice for this actor */
  return 1;
}

int lx_loop_turn_due(lx_loop *lp) {
  return time_up(lp) || stop_signal_pending();
}

/* A worker deep in one mailbox asks once per 64 to 4096 slots (work() in
** actor.lua), not once per entry: counting its calls by 256 before a look
** at the clock let a self-telling actor keep timers waiting for 0.4 s.
** With a time slice, the worker goes on as a proc does until preempted
** (in its handler), and asking here is only the backstop for a handler
** the hook cannot stop (a C function, a script's own coroutine): at the
** runner's 5 ms, the counter of Counting fell behind the main chunk
** telling it (turns of 5 ms against 10), and got two thirds of its
** messages at the end, in one huge mailbox.  The backstop is twice the
** slice, but no more than BACKSTOP_MAX: with a long slice, such a handler
** kept timers and input waiting for seconds. */
#define BACKSTOP_MAX 0.02      /* seconds */

int lx_loop_mailbox_turn_due(lx_loop *lp) {
  double limit = 2 * lx_preempt_slice();
  if (limit > BACKSTOP_MAX) limit = BACKSTOP_MAX;
  if (limit < RUNNER_TIME) limit = RUNNER_TIME;
  return clock_up(lp, limit) || stop_signal_pending();
}

int lx_worker_free(lx_proc *p) {
  if (p->loop->npool >= POOL_MAX || p->state != LX_RUNNING) return 0;
  p->state = LX_FREE;
  return 1;
}

/* A worker that gave its actor back (lx_worker_free) joins the pool. */
static void pool_worker(lx_loop *lp, lx_proc *p) {
  unlink_proc(lp, p);
  p->run.next = (lx_entry *)lp->pool;
  lp->pool = p;
  lp->npool++;
}

/* }=================================================================== */

static void on_timer(struct ev_loop *ev, ev_timer *w, int revents) {
  lx_proc *p = (lx_proc *)w->data;
  (void)ev; (void)revents;
  if (p->state == LX_WAITING) lx_future_unwait(p);
  p->timed_out = 1;
  lx_proc_ready(p);
}

int lx_close_thread(lua_State *co, lua_State *from) {
#if LUA_VERSION_RELEASE_NUM >= 50406
  return lua_closethread(co, from);
#else
  (void)from;
  return lua_resetthread(co);
#endif
}

/* Reports a proc that ended with an error nothing caught: the main chunk,
** or a fault in lactor's own wrappers.  The traceback is taken where the
** error came from, before its to-be-closed variables close, which they
** do before the report, as in lua.  (An error in a __close is reported
** with that traceback too: the __close's own frames are gone by then.) */
static void failed(lx_loop *lp, lua_State *co) {
  lua_State *L = lp->L;
  luaL_traceback(L, co, NULL, 0);
  (void)lx_close_thread(co, L);    /* the error stays on top */
  lua_xmove(co, L, 1);                      /* error object */
  lua_insert(L, -2);
  lua_settop(co, 0);
  lx_hook(lp, L, "proc_failed", 2);
}

/* Proc p runs from now on: in resume(), or going on in its own Future:get
** (lx_loop_run_ahead).  A signal that came between two resumes found no
** proc to arm the hook on: p gets it, in case it cannot yield either.
** (The handler sets the flag before it reads `running`, enter sets
** `running` before this reads the flag: one of them sees the other.) */
static void set_running(lx_proc *p) {
  p->state = LX_RUNNING;
  lx_preempt_enter(p);
  if (stop_signal_pending()) lx_preempt_now(LX_STOP);
}

/* The one entry from C into a proc, modelled on auxresume in lcorolib.c.
** Returns whether the proc's time slice expired.  Do not touch `p` after
** it: a finished proc may already be collected. */
static int resume(lx_loop *lp, lx_proc *p) {
  lua_State *co = p->co;
  int nres, status, nargs = p->nargs;
  p->nargs = 0;
  p->preempted = 0;
  set_running(p);
  status = lua_resume(co, lp->L, nargs, &nres);
  lx_preempt_leave(p);
  if (status == LUA_YIELD) {
    int preempted = p->preempted;
    if (nres > 0) lua_pop(co, nres);
    if (p->state == LX_RUNNING) lx_proc_ready(p);  /* yielded, or preempted */
    else if (p->state == LX_FREE) pool_worker(lp, p);
    else if (p->state == LX_DONE) finish(lp, p);   /* killed itself */
    return preempted;
  }
  if (status != LUA_OK) {
    int was_main = p->kind == LX_MAIN && p->state != LX_DONE;
    lx_push_anchored(lp->L, p);    /* keep the coroutine while reporting */
    lua_getiuservalue(lp->L, -1, 1);
    lua_remove(lp->L, -2);
    p->state = LX_DONE;
    finish(lp, p);
    failed(lp, co);
    lua_pop(lp->L, 1);
    if (was_main) lx_loop_shutdown(lp, 1);
    else lx_loop_fail(lp);
    return 0;
  }
  p->state = LX_DONE;
  finish(lp, p);
  return 0;
}

static void on_runnable(struct ev_loop *ev, ev_idle *w, int revents) {
  lx_loop *lp = (lx_loop *)w->data;
  lx_entry *e;
  (void)revents;
  lp->c_base = (uintptr_t)&e;
  lx_preempt_busy();
  lp->run_start = ev_time();
  lp->ran = 0;
  lp->out_of_time = 0;
  while ((e = lp->head) != NULL && !stop_signal_pending()) {
    lx_proc *p;
    if (e->actors) p = lend_worker(lp);
    else {
      p = (lx_proc *)e;
      dequeue(lp);
      if (p->state == LX_DONE) { finish(lp, p); continue; }
    }
    if (resume(lp, p)) break;        /* a slice expired: events are due */
    if (time_up(lp)) break;          /* (a signal: the loop's condition) */
  }
  if (lp->head == NULL) ev_idle_stop(ev, w);
}

/* Takes e off the run queue, wherever it is: a walk, but only for a host
** killed while queued (below). */
static void unqueue(lx_loop *lp, lx_entry *e) {
  lx_entry *prev = NULL, *q;
  for (q = lp->head; q != NULL && q != e; q = q->next) prev = q;
  if (q == NULL) return;
  if (prev) prev->next = e->next;
  else lp->head = e->next;
  if (lp->tail == e) lp->tail = prev;
  e->next = NULL;
}

/* A proc that waits for a future (most often the reply to an ask) would
** yield to the runner, which would lend workers to the actors queued
** first and then, as often as not, resume that proc again: two trips
** through lua_resume for a round trip.  Instead the proc, the host, runs
** those turns itself, from inside its Future:get, exactly as the runner
** would: the same entries in the same order, counted by time_up() as
** the runner counts them, and it stops where the runner would stop.  If
** its own entry is then the first one queued, it takes it and goes on
** without a yield; otherwise it yields, already queued (or waiting) where
** it would be.  Only workers run under a host, and only one level deep:
** a worker that waits yields as usual.  Meanwhile the host is a waiter
** like any other, and lx_proc_kill leaves it to resume() to end.
**
** A yield would also have given back the C stack under the host's get,
** and its count of C calls (pcall, metamethods) to LUAI_MAXCCALLS, which
** the workers under it start afresh: so only a host that waits near the
** bottom of its C stack runs ahead, one a few such calls deep at most.
** How deep is told by addresses, as no API tells it; a stack that grew
** upwards would only never run ahead. */
#define RUN_AHEAD_STACK 2048

int lx_loop_run_ahead(lx_loop *lp, lx_proc *p) {
  lx_entry *e = lp->head;
  int preempted = 0;
  if (lp->host != NULL || e == NULL || e->actors == 0
      || lp->c_base - (uintptr_t)&e > RUN_AHEAD_STACK
      || time_up(lp) || stop_signal_pending())
    return 0;
  lx_preempt_leave(p);                 /* as if it had yielded */
  lp->host = p;
  do {
    if ((preempted = resume(lp, lend_worker(lp))) != 0) break;
    if (time_up(lp) || stop_signal_pending()) break;
  } while ((e = lp->head) != NULL && e->actors);
  lp->host = NULL;
  if (preempted) lp->out_of_time = 1;  /* the runner stops at once too */
  if (p->state == LX_DONE) {           /* killed meanwhile: it yields, and */
    unqueue(lp, &p->run);              /* resume() ends it, once */
    return 0;
  }
  if (lp->head != &p->run || lp->out_of_time || stop_signal_pending())
    return 0;
  dequeue(lp);                         /* what the runner does */
  set_running(p);
  return 1;
}

/* }=================================================================== */

/* {===================================================================
** The loop and the end of the process
** ==================================================================== */

/* The loop is about to wait for events: flush what scripts printed, and
** stop the preemption timer unless procs are still queued. */
static void on_prepare(struct ev_loop *ev, ev_prepare *w, int revents) {
  lx_loop *lp = (lx_loop *)w->data;
  (void)ev; (void)revents;
  fflush(stdout);
  if (lp->head == NULL) lx_preempt_idle();
}

/* SIGINT and SIGTERM have a sigaction handler of lactor's own rather
** than an ev_signal watcher: a watcher only runs when the loop gets a
** turn, and a proc that never waits (with --slice 0, or inside a C call)
** would keep it from ever getting one.  The handler asks the running proc
** to yield, or to raise "interrupted!" where it cannot (the preemption
** hook), and wakes the loop; a second signal before the first was served,
** or during the graceful stop, ends the process at once, unless it is an
** echo of the first (lx_loop_signal_echo). */
static lx_loop *signal_loop;
static volatile sig_atomic_t pending_signal, stopping;

/* When the last stop signal that counted came; written by the handlers
** only, which block every other signal while they run. */
static double signal_time = -1;

/* A stop signal within ECHO seconds of the one before is that one again:
** timeout(1) sends its signal to lactor and then to lactor's whole
** process group, and `kill 0` in a script's shell does the same.  Taken
** for the user's second signal, it would end lactor with no on_stop run. */
#define ECHO 0.25

void lx_loop_signal_taken(void) {
  signal_time = lx_now();
}

int lx_loop_signal_echo(void) {
  return signal_time >= 0 && lx_now() - signal_time < ECHO;
}

static void on_stop_signal(int sig) {
  if (pending_signal || stopping) {
    if (lx_loop_signal_echo()) return;
    _Exit(128 + sig);
  }
  lx_loop_signal_taken();
  pending_signal = sig;
  lx_preempt_now(LX_STOP);
  ev_async_send(signal_loop->ev, &signal_loop->wakeup);
}

/* Has a SIGINT or SIGTERM arrived that the loop has yet to serve?  The
** runner then stops resuming procs: the next one may not be able to
** yield either, and would keep the loop from serving it. */
static int stop_signal_pending(void) {
  return pending_signal != 0;
}

/* Begins the graceful stop for a signal that arrived, if one did. */
static void serve_stop_signal(lx_loop *lp) {
  int sig = pending_signal;
  if (sig == 0) return;
  lx_loop_shutdown(lp, 128 + sig);
  pending_signal = 0;
}

static void on_wakeup(struct ev_loop *ev, ev_async *w, int revents) {
  (void)ev; (void)revents;
  serve_stop_signal((lx_loop *)w->data);
}

static void catch_stop_signals(void (*handler)(int)) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = handler;
  sa.sa_flags = SA_RESTART;
  sigfillset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
}

/* SIGUSR1: the Lua side writes every actor's and task's traceback to
** stderr, as Pykka's log_thread_tracebacks does.  Nothing runs meanwhile,
** so each proc is seen where it last stopped. */
static void on_dump(struct ev_loop *ev, ev_signal *w, int revents) {
  lx_loop *lp = (lx_loop *)w->data;
  (void)ev; (void)revents;
  lx_hook(lp, lp->L, "dump", 0);
}

/* Signals blocked by whoever started us would never reach the watchers
** (libev leaves the mask alone): Ctrl-C and kill would be lost. */
static void unblock_signals(void) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR1);
  sigprocmask(SIG_UNBLOCK, &set, NULL);
}

/* libev's allocator.  libev aborts when one gives it no memory: running
** out there (its heap of timers doubles: a million pending timers ask
** for 32 MB at once) ends lactor as running out does where Lua cannot
** raise (alloc.c's panic): the output so far flushed, one line of
** report, status 1, and exit()'s handlers, which give the REPL's
** terminal back. */
static void *ev_allocate(void *ptr, long size) {
  void *q;
  if (size == 0) {
    free(ptr);
    return NULL;
  }
  q = realloc(ptr, (size_t)size);
  if (q == NULL) {
    lx_report("not enough memory", sizeof "not enough memory" - 1);
    exit(EXIT_FAILURE);
  }
  return q;
}

lx_loop *lx_loop_new(lua_State *L) {
  lx_loop *lp = (lx_loop *)calloc(1, sizeof *lp);
  if (lp == NULL) return NULL;
  ev_set_allocator(ev_allocate);
  lp->L = L;
  /* Not the default loop: that one reaps every child process, which
  ** would break io.popen and os.execute. */
  lp->ev = ev_loop_new(EVFLAG_AUTO);
  if (lp->ev == NULL) { free(lp); return NULL; }
  ev_idle_init(&lp->runner, on_runnable);
  lp->runner.data = lp;
  ev_prepare_init(&lp->flusher, on_prepare);
  lp->flusher.data = lp;
  ev_prepare_start(lp->ev, &lp->flusher);
  ev_unref(lp->ev);
  ev_async_init(&lp->wakeup, on_wakeup);
  lp->wakeup.data = lp;
  ev_async_start(lp->ev, &lp->wakeup);
  ev_unref(lp->ev);
  signal_loop = lp;
  catch_stop_signals(on_stop_signal);
  ev_signal_init(&lp->sigusr1, on_dump, SIGUSR1);
  lp->sigusr1.data = lp;
  ev_signal_start(lp->ev, &lp->sigusr1);
  ev_unref(lp->ev);
  unblock_signals();
  lua_newtable(L);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &anchors_key);
  lp->ring_size = 64;
  lua_createtable(L, lp->ring_size, 0);
  lp->ring_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  *(lx_proc **)lua_getextraspace(L) = NULL;
  return lp;
}

/* Called before lua_close.  Empties the run queue while the procs in it
** still exist, and closes it: finalizers that lua_close runs may still
** spawn tasks, start actors or resolve futures, and whatever they queue
** would be freed under the queue's feet. */
void lx_loop_close(lx_loop *lp) {
  lx_entry *e, *next;
  for (e = lp->head; e; e = next) {
    next = e->next;
    if (e->actors) free(e);           /* the others are in procs */
  }
  lp->head = lp->tail = NULL;
  lp->closed = 1;
}

/* Called after lua_close: the procs are gone, so this touches none. */
void lx_loop_free(lx_loop *lp) {
  lx_entry *e, *next;
  for (e = lp->spare; e; e = next) { next = e->next; free(e); }
  if (lp->repl_end) lx_loop_set_repl(lp, NULL, NULL);
  ev_ref(lp->ev); ev_ref(lp->ev); ev_ref(lp->ev);   /* the unref'd watchers */
  ev_prepare_stop(lp->ev, &lp->flusher);
  catch_stop_signals(SIG_DFL);
  signal_loop = NULL;
  ev_async_stop(lp->ev, &lp->wakeup);
  ev_signal_stop(lp->ev, &lp->sigusr1);
  ev_loop_destroy(lp->ev);
  free(lp);
}

struct ev_loop *lx_loop_ev(lx_loop *lp) { return lp->ev; }
lx_timers *lx_loop_timers(lx_loop *lp) { return &lp->timers; }
int lx_loop_count(lx_loop *lp, lx_kind kind) { return lp->nprocs[kind]; }
lx_proc *lx_loop_first(lx_loop *lp) { return lp->first; }
lua_State *lx_loop_L(lx_loop *lp) { return lp->L; }
int lx_loop_debug(lx_loop *lp) { return lp->debug; }
int lx_loop_shutting_down(lx_loop *lp) { return lp->shutting_down; }
void lx_loop_set_debug(lx_loop *lp, int on) { lp->debug = on; }

void lx_loop_fail(lx_loop *lp) {
  if (!lp->status_final) lp->status = 1;
}

/* Lua-side hooks: a table the lactor module registers (lib_lactor.c). */
static int callhook(lx_loop *lp, lua_State *L, const char *name, int nargs,
                    int nres) {
  int base = lua_gettop(L) - nargs;
  lua_rawgetp(L, LUA_REGISTRYINDEX, &hooks_key);
  lua_getfield(L, -1, name);
  lua_remove(L, -2);
  lua_insert(L, base + 1);
  if (lua_pcall(L, nargs, nres, 0) != LUA_OK) {
    size_t len;
    const char *msg = lua_tolstring(L, -1, &len);
    if (msg == NULL) msg = "(error object is not a string)", len = strlen(msg);
    lx_report(msg, len);
    lua_pop(L, 1);
    lx_loop_fail(lp);
    return 0;
  }
  return 1;
}

void lx_hook(lx_loop *lp, lua_State *L, const char *name, int nargs) {
  callhook(lp, L, name, nargs, 0);
}

void lx_hook_push(lua_State *L, const char *name) {
  lua_rawgetp(L, LUA_REGISTRYINDEX, &hooks_key);
  lua_getfield(L, -1, name);
  lua_remove(L, -2);
}

void lx_loop_set_hooks(lua_State *L, int idx) {
  lua_pushvalue(L, idx);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &hooks_key);
}

/* The REPL installs its own SIGINT handler over the loop's and puts the
** loop's back when it ends; here it only says how to let go. */
void lx_loop_set_repl(lx_loop *lp, void (*on_end)(void *), void *ud) {
  lp->repl_end = on_end;
  lp->repl_ud = ud;
}

/* Stops everything: timers, every proc, and then every live actor,
** whose on_stop runs in a task of its own.  The loop runs until those
** tasks are done, and lx_loop_run returns `status`.  A proc inside the
** on_stop or on_failure of an actor that already died is spared: that
** actor is live no more, so nothing would run its callback again. */
void lx_loop_shutdown(lx_loop *lp, int status) {
  lx_proc *p, *next;
  if (!lp->status_final) lp->status = status;
  if (status != 1) lp->status_final = 1;
  if (lp->shutting_down) return;
  lp->shutting_down = 1;
  stopping = 1;
  if (lp->repl_end) lp->repl_end(lp->repl_ud);   /* gives SIGINT back */
  for (p = lp->first; p; p = next) {
    next = p->next_all;
    if (!p->finishing) lx_proc_kill(p);
  }
  lx_hook(lp, lp->L, "shutdown", 0);
}

static int count_waiting(lx_loop *lp) {
  int n = 0;
  lx_proc *p;
  for (p = lp->first; p; p = p->next_all)
    if (p->state == LX_WAITING) n++;
  return n;
}

static void report_deadlock(lx_loop *lp, int n) {
  lua_State *L = lp->L;
  lx_proc *p;
  char head[128];
  int len = snprintf(head, sizeof head, "deadlock: %d coroutine(s) waiting "
                     "on futures that can never resolve", n);
  lx_report(head, (size_t)len);
  for (p = lp->first; p; p = p->next_all) {
    if (p->state != LX_WAITING) continue;
    lua_pushstring(L, lx_kind_names[p->kind]);
    lx_push_anchored(L, p);
    lua_getiuservalue(L, -1, 2);    /* owner */
    lua_remove(L, -2);
    luaL_traceback(L, p->co, NULL, 0);
    lx_hook(lp, L, "report_waiting", 3);
  }
}

int lx_loop_run(lx_loop *lp) {
  for (;;) {
    ev_run(lp->ev, 0);
    /* The wakeup does not keep the loop alive: a signal that stopped the
    ** last runnable proc (with "interrupted!") may still be unserved. */
    if (stop_signal_pending()) {
      serve_stop_signal(lp);
      continue;
    }
    if (lp->head) continue;
    if (lp->shutting_down) break;
    {
      int n = count_waiting(lp);
      if (n > 0) {
        report_deadlock(lp, n);
        lx_loop_shutdown(lp, 1);
        continue;
      }
    }
    /* Idle actors can get no more messages: stop them, and go on while
    ** that gave anything to do. */
    if (callhook(lp, lp->L, "stop_idle", 0, 1)) {
      int stopped = lua_toboolean(lp->L, -1);
      lua_pop(lp->L, 1);
      if (stopped) continue;
    }
    break;
  }
  lx_preempt_idle();
  lx_hook(lp, lp->L, "at_exit", 0);
  fflush(stdout);
  return lp->status;
}

/* }=================================================================== */
