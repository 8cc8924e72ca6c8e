/*
** The one event loop: procs (the coroutines lactor schedules: the main
** chunk, tasks and actors), the run queue, sleeping, signals and the end
** of the process.
**
** Ownership: a proc is a full userdata (struct lx_proc) kept in the
** anchor table, keyed by its address, from spawn until it is finished.
** That one table entry anchors both the coroutine and the proc, so a
** parked coroutine can never be collected, and nothing else holds a
** reference to either.  The coroutine's extra space (lua_getextraspace)
** points back at its proc; coroutines a script makes itself have NULL
** there, which is how lactor tells them apart.
**
** Actors are not procs.  An actor with nothing to do is only Lua tables;
** one with a message to handle (or on_start to run) waits in the run
** queue as an entry of a "run of actors", and the runner lends it a
** worker: a proc whose coroutine serves actors (lua/lactor/actor.lua),
** taken from a small pool of free workers.  The actor keeps its worker
** while a handler waits, and gives it back when its mailbox is empty.
*/
#ifndef lactor_loop_h
#define lactor_loop_h

#include <ev.h>
#include <lua.h>

#define LX_LOOP_META "lactor.Loop"

typedef struct lx_loop lx_loop;
typedef struct lx_proc lx_proc;

/* A REPL line runs in a proc of its own kind: to the user it is the
** REPL's main chunk, not a task (lactor.stats, lactor.dump). */
typedef enum lx_kind { LX_MAIN, LX_TASK, LX_ACTOR, LX_LINE, LX_NKINDS } lx_kind;

/* The kinds' names on the Lua side, by lx_kind, NULL-ended for
** luaL_checkoption: "main", "task", "actor", "line". */
extern const char *const lx_kind_names[LX_NKINDS + 1];

typedef enum lx_state {
  LX_READY,    /* in the run queue */
  LX_RUNNING,  /* resumed right now */
  LX_WAITING,  /* parked in Future:get */
  LX_SLEEPING, /* parked in lactor.sleep */
  LX_FREE,     /* a worker in the pool, serving no actor */
  LX_DONE      /* finished or killed; leaves the proc table */
} lx_state;

/* An entry of the run queue: a proc, or a run of `actors` actors queued
** one after the other (their tables wait in the loop's actor ring). */
typedef struct lx_entry {
  struct lx_entry *next;
  int actors;              /* 0 for a proc */
} lx_entry;

/* The parts of a proc other modules read and write. */
struct lx_proc {
  lx_entry run;            /* run queue link: first, so entries cast back */
  lua_State *co;
  lx_loop *loop;
  lx_proc *wprev, *wnext;  /* waiter list of the future it waits on */
  void *waiting_on;        /* the lx_future, while LX_WAITING */
  lx_proc *prev_all, *next_all;  /* every unfinished proc, oldest first */
  ev_timer timer;          /* sleep and get(timeout) */
  lx_kind kind;
  lx_state state;
  int timed_out;           /* the timer fired before the future resolved */
  int nargs;               /* arguments for the first resume */
  int preempted;           /* its slice expired in the last resume */
  int finishing;           /* runs a dead actor's on_stop or on_failure:
                              the shutdown lets it finish (core.finishing) */
  int ctrl_c;              /* the REPL's Ctrl-C made it yield, and it has
                              not stopped by itself since (repl.c) */
  lua_Integer serial;      /* creation order among procs and actors */
  const void *owner_id;    /* a worker's owner (user value 2), as identity */
  lua_Hook user_hook;      /* the script's own hook on co (debug.sethook), */
  int user_mask, user_count;  /* which preemption's hook stands in for */
};

/* The proc running `L`, or NULL for the main thread and for coroutines
** created by scripts. */
static inline lx_proc *lx_proc_of(lua_State *L) {
  return *(lx_proc **)lua_getextraspace(L);
}

/* Timers of lactor.after/every that are running (timer.c owns them). */
typedef struct lx_timer lx_timer;
typedef struct lx_timers { lx_timer *first; int count; } lx_timers;

lx_loop *lx_loop_new(lua_State *L);
lx_timers *lx_loop_timers(lx_loop *lp);
int lx_loop_count(lx_loop *lp, lx_kind kind);   /* unfinished procs */
/* The oldest unfinished proc; follow next_all for the others.  Procs
** killed but not yet dropped are in the list with state LX_DONE. */
lx_proc *lx_loop_first(lx_loop *lp);
void lx_loop_close(lx_loop *lp);                /* before lua_close */
void lx_loop_free(lx_loop *lp);                 /* after it */
struct ev_loop *lx_loop_ev(lx_loop *lp);
lua_State *lx_loop_L(lx_loop *lp);

/* Spawns a proc running the function at the top of L's stack below its
** `nargs` arguments (pops them all) and pushes its coroutine.  `owner`
** is the stack index of a value kept with the proc for reports (the actor,
** or nil). */
lx_proc *lx_proc_spawn(lx_loop *lp, lua_State *L, lx_kind kind, int owner,
                       int nargs);
void lx_proc_ready(lx_proc *p);
/* The actor ring (loop.c), which the functions below take at stack index
** `ring`: bindings keep it as an upvalue. */
void lx_push_ring(lx_loop *lp, lua_State *L);
/* Queues the actor at index `idx` of L: a worker will serve it.  Returns
** a number that orders it among the procs and actors made so far. */
lua_Integer lx_actor_ready(lx_loop *lp, lua_State *L, int ring, int idx);
/* For the worker `p` done with its actor: if the next entry of the run
** queue is an actor and the runner's time is not up, takes it, pushes it
** and returns 1; else returns 0. */
int lx_actor_next(lx_loop *lp, lua_State *L, int ring, lx_proc *p);
/* Is it time the running worker let the loop have a turn (the runner's
** time is up, or a SIGINT/SIGTERM waits to be served)? */
int lx_loop_turn_due(lx_loop *lp);
/* The same, for a worker between two messages of one mailbox: it reads
** the clock at each call, and with a time slice gives handlers that
** preemption stops longer than the runner's time (see loop.c). */
int lx_loop_mailbox_turn_due(lx_loop *lp);
/* Proc p, about to wait (in Future:get), runs the runner's next turns
** itself; returns 1 if it is then its turn again, taken off the run
** queue and running, and 0 if it must yield (see loop.c). */
int lx_loop_run_ahead(lx_loop *lp, lx_proc *p);
/* Makes the value at `idx` of L the owner of worker `p` (for reports and
** the self-ask check) unless it already is.  `proc` is the absolute stack
** index of p's userdata, or 0 when it is not at hand. */
void lx_set_owner(lua_State *L, lx_proc *p, int proc, int idx);
/* The running worker `p` is done with its actor: unless the pool is full
** (then 0: the worker ends), it is marked free and returns 1; the caller
** yields, the worker joins the pool, and the next resume passes it the
** next actor it serves. */
int lx_worker_free(lx_proc *p);
/* Raises "cannot WHAT here: ...", for a wait where the running coroutine
** is no proc that can yield to the loop. */
int lx_cannot_wait(lua_State *L, const char *what);
/* Parks the running proc `L` in `state` and yields; resumed by
** lx_proc_ready.  Use as `return lx_proc_park(...)`. */
int lx_proc_park(lua_State *L, lx_state state, lua_KContext ctx,
                 lua_KFunction k);
void lx_proc_kill(lx_proc *p);
/* Closes the to-be-closed variables coroutine `co` left open, as
** coroutine.close does (lua_closethread, or lua_resetthread before Lua
** 5.4.6): with the error on top of a dead one, which stays there (an
** error in a __close replaces it, as in a pcall), or with none. */
int lx_close_thread(lua_State *co, lua_State *from);
/* For the continuation of a proc's yield: raises unless the loop resumed
** it (a script's coroutine.resume on a parked proc would corrupt it). */
int lx_proc_resumed(lua_State *L);

/* The table of Lua-side hooks at `idx` (lib_lactor.c says which). */
void lx_loop_set_hooks(lua_State *L, int idx);

/* The REPL (repl.c) while it runs: it installs its own SIGINT handler
** over the loop's (which ends the run) and puts the loop's back when done;
** `on_end(ud)` is called once when the run starts ending (lactor.exit,
** SIGTERM, a failed main chunk), so that it lets go of the terminal.  A
** NULL `on_end` says the REPL is gone. */
void lx_loop_set_repl(lx_loop *lp, void (*on_end)(void *), void *ud);

/* Exit status and the end of the process. */
void lx_loop_fail(lx_loop *lp);   /* exit status 1 unless one is set */
void lx_loop_shutdown(lx_loop *lp, int status);
int lx_loop_shutting_down(lx_loop *lp);   /* has lx_loop_shutdown begun? */
int lx_loop_run(lx_loop *lp);     /* runs to the end; returns the status */
int lx_loop_debug(lx_loop *lp);
void lx_loop_set_debug(lx_loop *lp, int on);

/* Writes "lactor: msg\n" to stderr after flushing stdout, so that the two
** streams stay in order on a terminal. */
void lx_report(const char *msg, size_t len);

/* Calls the Lua-side hook `name` (see lib_lactor.c) with the `nargs`
** values on top of L, protected; a failure is reported.  Pops the args. */
void lx_hook(lx_loop *lp, lua_State *L, const char *name, int nargs);

/* Pushes the Lua-side hook `name`, to be called unprotected from a
** binding. */
void lx_hook_push(lua_State *L, const char *name);

/* The anchor table: C keeps a Lua value alive under a C address while
** libev or a list of its own points at it. */
void lx_anchor(lua_State *L, const void *key, int idx);
void lx_unanchor(lua_State *L, const void *key);
void lx_push_anchored(lua_State *L, const void *key);

double lx_now(void);

/* For the SIGINT and SIGTERM handlers, where a second signal would end
** lactor at once: lx_loop_signal_taken notes when a signal was acted on,
** and lx_loop_signal_echo tells whether the one just caught came within a
** quarter second of that one, and is the same again (timeout(1) sends
** two). */
void lx_loop_signal_taken(void);
int lx_loop_signal_echo(void);

#endif
