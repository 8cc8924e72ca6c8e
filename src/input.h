/*
** The input: stdin (or --input FILE) read without blocking the loop,
** framed into records (lines, JSON lines, NUL-separated, raw chunks) and
** delivered as tells straight into one actor's mailbox, paced by that
** mailbox's length.
**
** Ownership: one input per runtime, a full userdata made on first use and
** anchored in the Lua registry until lua_close; its __gc stops the
** watchers, closes an --input file and gives fd 0 its flags back.  While
** attached, its user values hold the target's core table and the Lua
** callbacks (lua/lactor/input.lua); nothing else holds them.
*/
#ifndef lactor_input_h
#define lactor_input_h

#include <lua.h>

#include "loop.h"

/* A closed fd 0 would be taken by the next open(), libev's epoll fd
** first of all, and reading it would then read something else.  Called
** first thing in main: puts /dev/null there, so that a closed stdin reads
** as an empty one. */
void lx_input_guard_stdin(void);

/* The command-line defaults: --input FILE (NULL: stdin) and the format
** of -j/-0/--raw (NULL: "lines"); `stdin_taken`: why stdin cannot be the
** input ("stdin is read by the REPL"), or NULL.  Opens FILE now; returns
** 0, or -1 with errno set (the caller reports "cannot open FILE"). */
int lx_input_defaults(lua_State *L, lx_loop *lp, const char *file,
                      const char *format, const char *stdin_taken);

/* Pushes the step that -t NAME adds after the script: a function of the
** name that attaches the input to the actor registered under it. */
void lx_input_push_to(lua_State *L);

/* Bindings for lib_lactor.c (upvalue 1: the loop). */
int lx_input_lattach(lua_State *L);    /* core.input_attach(c, ...) */
int lx_input_lclose(lua_State *L);     /* core.input_close() */
int lx_input_ldefaults(lua_State *L);  /* core.input_defaults() */
int lx_input_lrejected(lua_State *L);  /* core.input_rejected() */

#endif
