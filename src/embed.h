/*
** The Lua side of lactor (lua/lactor/ files), compiled into the binary as
** source text by src/embed.sh.  Chunk names are "@lua/lactor/x.lua" so that
** errors point at the real files.
*/
#ifndef lactor_embed_h
#define lactor_embed_h

#include <stddef.h>

/* Where the embedded files live: their chunk names start with "@" this. */
#define LX_EMBED_PREFIX "lua/lactor/"

typedef struct lx_embedded {
  const char *module;     /* "lactor", "lactor.proxy", ... */
  const char *chunkname;  /* "@lua/lactor/proxy.lua" */
  const char *source;
  size_t size;
} lx_embedded;

extern const lx_embedded lx_embedded_files[];  /* ends with a NULL module */

#endif
