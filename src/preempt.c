/*
** Preemption by a signal-armed hook.  See preempt.h.
*/
#include <signal.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>

#include "embed.h"
#include "preempt.h"

#define HOOK_MASK LUA_MASKCOUNT

/* Ticks per slice.  A resume is preempted at the tick that finds it still
** running TICKS ticks after the first tick that saw it: after a slice, and
** at most a slice / TICKS more, where one tick per slice could let it run
** for nearly two. */
#define TICKS 4

/* The shortest slice, in milliseconds.  Ticks a few microseconds apart
** took all the time in their handler: at --slice 0.05 a loop of a
** million additions ran for ever, at 0.1 nine times slower.  A shorter
** slice is taken as this one. */
#define MIN_SLICE 1.0

/* Instructions of lactor's own code that the hook looks at one by one
** before it waits for a call or return instead (see wait_for_user_code). */
#define RUNTIME_STEPS 256

/* Shared with the signal handler, hence statics (as lua.c's globalL). */
static lx_proc *volatile running;   /* the proc being resumed, or NULL */
static volatile sig_atomic_t generation, seen, ticks_seen;
static volatile sig_atomic_t stopping;    /* lx_preempt_now's `stop` */
static int interrupted;       /* the hook raised "interrupted!" in this resume */
static int enabled, ticking;
static double slice_s;        /* the time slice, in seconds */
static int runtime_steps;     /* count events in lactor's code, in a row */
static timer_t timer;
static struct itimerspec period;

static void hook(lua_State *L, lua_Debug *ar);

/* Arms lactor's hook on `co`, over the script's own if it has one (a
** signal handler may call this). */
static void arm(lua_State *co) {
  lua_sethook(co, hook, HOOK_MASK, 1);
}

/* Sets lactor's hook on `co` again (see on_tick), unless it counts down
** a grace after "interrupted!" (LX_GRACE): setting it again would cut
** the grace short (at count 1, the code that catches the error yielded
** wherever a C call in it spanned a slice) or, at its count, start it
** again, for ever where it takes longer than a slice.  The hook set that
** count itself, outside any signal handler, so its trap cannot be lost. */
static void rearm(lua_State *co) {
  if (lua_gethook(co) != hook
      || ((lua_gethookmask(co) & LUA_MASKCOUNT) && lua_gethookcount(co) == 1))
    arm(co);
}

/* Takes lactor's hook off `L`, putting back the one the script set on a
** proc's coroutine with debug.sethook (see sethook below). */
static void disarm(lua_State *L) {
  lx_proc *p = lx_proc_of(L);
  if (p != NULL) lua_sethook(L, p->user_hook, p->user_mask, p->user_count);
  else lua_sethook(L, NULL, 0, 0);
}

/* Is `source` lactor's own Lua code?  Its updates of shared state (a
** mailbox, the registry) must not be cut in half, so it is never
** preempted: the hook stays armed until control is back in user code. */
static int runtime_source(const char *source) {
  static const char prefix[] = "@" LX_EMBED_PREFIX;
  return strncmp(source, prefix, sizeof prefix - 1) == 0;
}

/* Is the running function lactor's own Lua code? */
static int in_runtime(lua_State *L, lua_Debug *ar) {
  return lua_getinfo(L, "S", ar) && runtime_source(ar->source);
}

/* Is the function `ar` describes the script's Lua code, where a
** preemption may yield? */
static int in_user_lua(lua_State *L, lua_Debug *ar) {
  return lua_getinfo(L, "S", ar) && *ar->what != 'C'
      && !runtime_source(ar->source);
}

/* A preemption that lands in lactor's own code waits for user code.
** Looking at each instruction of it would cost more than the code itself
** where it loops (clearing a compacted mailbox: a tenth of Counting's
** time), and lactor's code reaches user code only by a call or a return:
** so the hook waits for those there, and counts instructions again on
** the one that enters user code.  It changes its mask only then, and only
** after RUNTIME_STEPS instructions in lactor's code, as lua_sethook walks
** the whole call chain: under a deep recursion, a short visit to
** lactor's code must not cost two walks.  Inside a C call that cannot
** yield, it looks at each instruction as before. */
static void wait_for_user_code(lua_State *L, lua_Debug *ar) {
  lua_Debug caller;
  switch (ar->event) {
    case LUA_HOOKCOUNT:
      if (++runtime_steps >= RUNTIME_STEPS && lua_isyieldable(L))
        lua_sethook(L, hook, LUA_MASKCALL | LUA_MASKRET, 0);
      return;
    case LUA_HOOKCALL: case LUA_HOOKTAILCALL:
      if (in_user_lua(L, ar)) break;
      return;
    case LUA_HOOKRET:                  /* to whom? */
      if (lua_getstack(L, 1, &caller) && in_user_lua(L, &caller)) break;
      return;
    default:
      return;
  }
  runtime_steps = 0;
  lua_sethook(L, hook, HOOK_MASK, 1);
}

static void hook(lua_State *L, lua_Debug *ar) {
  lx_proc *p = lx_proc_of(L);
  if (p == NULL || p != running) {   /* a script's coroutine, or stale */
    disarm(L);
    return;
  }
  if (ar->event != LUA_HOOKCOUNT || in_runtime(L, ar)) {
    wait_for_user_code(L, ar);
    return;
  }
  runtime_steps = 0;
  /* Inside a C call, or a runaway that the REPL's Ctrl-C interrupts. */
  if (!lua_isyieldable(L) || stopping == LX_INTERRUPT) {
    if (!stopping) return;             /* later */
    /* The first time, the hook looks again LX_GRACE instructions later, so
    ** that the __close methods and message handlers of the code that
    ** catches this run.  Code that catches it and spins on gets it again,
    ** and then the hook looks at every instruction, to yield as soon as
    ** it can. */
    lua_sethook(L, hook, HOOK_MASK, interrupted ? 1 : LX_GRACE);
    interrupted = 1;
    lua_pushliteral(L, "interrupted!");   /* no position: it came from outside */
    lua_error(L);
  }
  disarm(L);
  p->preempted = 1;
  lua_yield(L, 0);
}

/* lua_sethook walks the coroutine's whole chain of calls (settraps in
** ldebug.c): the hook is armed once, and then fires at every instruction
** until it is done.  Arming it at every tick would let a deep recursion
** and a short slice spend all their time in this signal handler. */
void lx_preempt_now(int stop) {
  lx_proc *p = running;
  if (p == NULL) return;
  if (stop > stopping) stopping = stop;
  if (lua_gethook(p->co) != hook) arm(p->co);
}

lx_proc *lx_preempt_running(void) {
  return running;
}

static void on_tick(int sig) {
  (void)sig;
  if (running && generation == seen) {
    if (++ticks_seen >= TICKS) lx_preempt_now(LX_PREEMPT);
    /* A slice later and still running: the hook may be set but its trap
    ** lost (a tick that lands while luaV_execute clears the trap of a
    ** hook removed before the last yield).  Setting it again, once a
    ** slice, walks the call chain once a slice, not once a tick.  Not
    ** while it waits for a call or return: those need no trap, and
    ** counting again would undo that wait every slice. */
    if (ticks_seen % TICKS == 0 && ticks_seen > TICKS) rearm(running->co);
  }
  else ticks_seen = 0;
  seen = generation;
}

/* debug.sethook and debug.gethook, wrapped (the original is upvalue 1),
** with the signals that arm lactor's hook blocked: the hook a script
** sets on a proc's coroutine (a coverage tool, a profiler) is kept in the
** proc, for disarm() to put back, and debug.gethook sees it even while
** lactor's hook stands in for it. */
static int hook_call(lua_State *L, int setting) {
  lua_State *co = lua_isthread(L, 1) ? lua_tothread(L, 1) : L;
  lx_proc *p = lx_proc_of(co);
  int armed, mask = 0, count = 0, status, n = lua_gettop(L);
  sigset_t arming, old;
  sigemptyset(&arming);
  sigaddset(&arming, SIGALRM);
  sigaddset(&arming, SIGINT);
  sigaddset(&arming, SIGTERM);
  sigprocmask(SIG_BLOCK, &arming, &old);
  armed = p != NULL && lua_gethook(co) == hook;
  if (armed) {                    /* the script's own, for a moment */
    mask = lua_gethookmask(co);
    count = lua_gethookcount(co);
    disarm(co);
  }
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  status = lua_pcall(L, n, LUA_MULTRET, 0);
  if (status == LUA_OK && setting && p != NULL) {
    p->user_hook = lua_gethook(co);
    p->user_mask = lua_gethookmask(co);
    p->user_count = lua_gethookcount(co);
  }
  if (armed) lua_sethook(co, hook, mask, count);  /* still due */
  sigprocmask(SIG_SETMASK, &old, NULL);
  if (status != LUA_OK) return lua_error(L);
  return lua_gettop(L);
}

/* Checks the arguments as ldblib's db_sethook does, so that a bad one is
** named by this function, at the caller's line: the original, called
** from C, could name neither.  It then cannot fail but for memory. */
static int sethook(lua_State *L) {
  int arg = lua_isthread(L, 1) ? 1 : 0;
  if (!lua_isnoneornil(L, arg + 1)) {
    luaL_checkstring(L, arg + 2);
    luaL_checktype(L, arg + 1, LUA_TFUNCTION);
    luaL_optinteger(L, arg + 3, 0);
  }
  return hook_call(L, 1);
}
static int gethook(lua_State *L) { return hook_call(L, 0); }

void lx_preempt_wrap_debug(lua_State *L) {
  static const luaL_Reg wrapped[] = {
    {"sethook", sethook}, {"gethook", gethook}, {NULL, NULL}
  };
  const luaL_Reg *w;
  lua_getglobal(L, "debug");
  for (w = wrapped; w->name; w++) {
    if (lua_getfield(L, -1, w->name) == LUA_TFUNCTION) {
      lua_pushcclosure(L, w->func, 1);
      lua_setfield(L, -2, w->name);
    }
    else lua_pop(L, 1);
  }
  lua_pop(L, 1);
}

int lx_preempt_init(double slice_ms) {
  struct sigaction sa;
  struct sigevent sev;
  if (slice_ms <= 0) return 0;
  if (slice_ms < MIN_SLICE) slice_ms = MIN_SLICE;
  if (slice_ms > 1e9) slice_ms = 1e9;     /* 11.6 days: fits a time_t */
  slice_s = slice_ms / 1000;
  slice_ms /= TICKS;                      /* the period of the ticks */
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_tick;
  sa.sa_flags = SA_RESTART;     /* a script's blocking reads carry on */
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGALRM, &sa, NULL) != 0) return -1;
  /* A blocked SIGALRM, inherited from whoever started us, would leave a
  ** runaway loop unpreemptable, and then deaf to SIGTERM too. */
  sigemptyset(&sa.sa_mask);
  sigaddset(&sa.sa_mask, SIGALRM);
  if (sigprocmask(SIG_UNBLOCK, &sa.sa_mask, NULL) != 0) return -1;
  memset(&sev, 0, sizeof sev);
  sev.sigev_notify = SIGEV_SIGNAL;
  sev.sigev_signo = SIGALRM;
  if (timer_create(CLOCK_MONOTONIC, &sev, &timer) != 0) return -1;
  period.it_interval.tv_sec = (time_t)(slice_ms / 1000);
  period.it_interval.tv_nsec = (long)((slice_ms - 1000.0 * (double)period.it_interval.tv_sec) * 1e6);
  period.it_value = period.it_interval;
  enabled = 1;
  return 0;
}

double lx_preempt_slice(void) {
  return enabled ? slice_s : 0;
}

void lx_preempt_free(void) {
  running = NULL;           /* a tick on its way finds nothing to preempt */
  if (!enabled) return;
  timer_delete(timer);
  enabled = ticking = 0;
}

void lx_preempt_busy(void) {
  if (!enabled || ticking) return;
  ticking = 1;
  timer_settime(timer, 0, &period, NULL);
}

void lx_preempt_idle(void) {
  static const struct itimerspec off;
  if (!ticking) return;
  ticking = 0;
  timer_settime(timer, 0, &off, NULL);
}

void lx_preempt_enter(lx_proc *p) {
  /* Wraps round by hand: sig_atomic_t is signed, and 2^31 resumes take
  ** minutes.  The tick compares generations for equality only. */
  generation = generation == SIG_ATOMIC_MAX ? 0 : generation + 1;
  running = p;
  runtime_steps = 0;
}

void lx_preempt_leave(lx_proc *p) {
  running = NULL;
  if (!p->preempted) p->ctrl_c = 0;    /* it waited, or ended: no runaway */
  stopping = 0;                        /* the loop serves the signal now */
  interrupted = 0;
  /* A hook armed too late to fire must not linger on the coroutine. */
  if (lua_gethook(p->co) == hook) disarm(p->co);
}
