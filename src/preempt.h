/*
** Preemption: a proc that runs longer than the time slice without waiting
** is made to yield at the next point where it can.
**
** A POSIX timer ticks four times a slice while procs are being resumed
** (and only then: the loop stops it before it blocks).  Each resume bumps
** a generation counter; a tick that finds the same resume still running
** as at the four ticks before arms a count hook on that proc's coroutine,
** the way
** lua.c arms its Ctrl-C hook from a signal handler.  The hook yields only
** on the proc's own coroutine and only where it can yield; everywhere else
** it stays armed (or removes itself from a script's own coroutine, which
** inherited it).  No hook runs while no slice has expired.
*/
#ifndef lactor_preempt_h
#define lactor_preempt_h

#include "loop.h"

/* Installs the signal handler and the timer; slice_ms 0 turns preemption
** off.  Returns 0, or -1 with errno set. */
int lx_preempt_init(double slice_ms);
/* Deletes the timer and forgets the running proc, whose state may be
** about to close. */
void lx_preempt_free(void);
/* Wraps debug.sethook and debug.gethook, so that a hook a script sets on
** a coroutine lactor runs survives preemption, whose hook stands in for
** it a moment, and reads as the script's meanwhile. */
void lx_preempt_wrap_debug(lua_State *L);

/* The time slice in seconds, or 0 when preemption is off. */
double lx_preempt_slice(void);

/* The timer runs between busy() and idle(). */
void lx_preempt_busy(void);
void lx_preempt_idle(void);

/* Around each resume. */
void lx_preempt_enter(lx_proc *p);
void lx_preempt_leave(lx_proc *p);

/* Arms the hook on the running proc now, so that it stops at the next
** point where it can (`stop` 0: LX_PREEMPT).  With LX_STOP (SIGINT,
** SIGTERM), a proc that cannot yield, as in a sort comparator, gets the
** error "interrupted!" instead, so that the graceful stop can begin; with
** LX_INTERRUPT (the REPL's Ctrl-C on a runaway) it gets it even where it
** can yield.  Async-signal-safe. */
enum { LX_PREEMPT, LX_STOP, LX_INTERRUPT };
/* Instructions the code that catches "interrupted!" (a signal's here, a
** Ctrl-C's in the REPL) runs, its __close methods and message handlers,
** before the hook raises it again, then at every instruction: about a
** slice's worth (5 ms), room for a real clean-up (a __close that formats
** and flushes a few hundred lines), where a thousand cut it short and the
** graceful stop then ended its actor before on_failure. */
#define LX_GRACE 1000000
void lx_preempt_now(int stop);

/* The proc being resumed, or NULL.  Async-signal-safe. */
lx_proc *lx_preempt_running(void);

#endif
