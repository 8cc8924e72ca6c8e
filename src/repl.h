/*
** The REPL: lines typed at the prompt run as tasks on the event loop, so
** actors, timers and tasks keep running while the user types.  repl.c
** owns the terminal (GNU readline's callback interface on an ev_io
** watcher, or plain line input), SIGINT while it runs, and the standard
** streams while a prompt is on the screen; lua/lactor/repl.lua compiles
** the lines, runs them and prints their results.
**
** Ownership: one REPL per process, in statics shared with the SIGINT
** handler (as lua.c's globalL).  The coroutine of the running line is
** held by the loop's proc table; the REPL keeps only its address, and
** forgets it before the proc can finish.
*/
#ifndef lactor_repl_h
#define lactor_repl_h

#include <lua.h>

/* Pushes the step that -i (or no script on a terminal) adds after the
** others: a function that starts the REPL on stdin.  The REPL runs until
** the end of its input (Ctrl-D), which stops every actor, each after the
** messages already queued for it, and ends the run with status 0. */
void lx_repl_push_step(lua_State *L);

#endif
