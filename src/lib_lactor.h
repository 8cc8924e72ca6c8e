/*
** lactor.core, the C half of the Lua module `lactor`.
*/
#ifndef lactor_lib_lactor_h
#define lactor_lib_lactor_h

#include <lua.h>

#include "loop.h"

/* Pushes the lactor.core table, its bindings bound to `lp`. */
int lx_open_core(lua_State *L, lx_loop *lp);

#endif
