/*
** Futures: a value (or an error) that arrives later, and the procs that
** wait for it.
**
** A future is a full userdata (struct lx_future) with two user values
** (few slots make the userdata of every ask small):
**   1  the value once settled, a table {n = N, ...} when there are not
**      exactly one, or the error value once failed; pending, in a future
**      derived from others, those of them that may be owed by an actor
**   2  pending: on_done callbacks, a function or a sequence of them;
**      failed: the traceback kept with the error, for reports
** The actor that will answer an ask's future (for self-ask detection) is
** kept as a bare address, not a reference (see struct lx_future).
** Waiting procs are linked through their wprev/wnext fields; a proc waits
** on one future at a time and the future does not own it.  While an ask
** deadline runs, the anchor table holds the timer, and the timer holds
** the future.
*/
#ifndef lactor_future_h
#define lactor_future_h

#include <lua.h>

#include "loop.h"

#define LX_FUTURE_META "lactor.Future"

typedef struct lx_future lx_future;

/* Registers the Future metatable and puts core.future, core.ask_future,
** core.reply, core.observed, core.derive and core.end_future into the
** table at `core`.  The loop (a light userdata) is at the top of the
** stack and is popped; the methods table is pushed so the Lua side can
** add to it. */
void lx_future_open(lua_State *L, int core);

/* Takes a waiting proc off the future it waits on. */
void lx_future_unwait(lx_proc *p);


#endif
