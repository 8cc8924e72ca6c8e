/*
** The command line: options, usage, exit codes.  Modelled on lua.c, whose
** options lactor keeps; everything the options ask for runs in the main
** proc, a coroutine, so that the main chunk can wait on futures.
*/
#include <errno.h>
#include <signal.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lualib.h>

#include "input.h"
#include "loop.h"
#include "preempt.h"
#include "repl.h"
#include "runtime.h"

/* Exit statuses (also in lactor(1), EXIT STATUS). */
enum {
  EXIT_OK = 0,      /* everything finished cleanly */
  EXIT_ERROR = 1,   /* a script error, a crash, rejected input, a deadlock */
  EXIT_USAGE = 2    /* bad options or an unreadable script */
  /* n from lactor.exit(n); 128 + signal after a graceful stop */
};

static const char *progname = "lactor";

typedef struct options {
  int script;        /* index of the script in argv, or 0 */
  int has_e, has_i, has_v, has_E, has_W, debug;
  const char *input_opt;   /* the first input option seen, for errors */
  const char *to, *input, *format;
  double slice;
} options;

static void print_usage(FILE *f) {
  fputs(
    "usage: lactor [options] [script [args...]]\n"
    "Run Lua 5.4 actor scripts on an event loop.\n"
    "\n"
    "  -e chunk       run the string 'chunk'\n"
    "  -l mod         require library 'mod' into global 'mod'\n"
    "  -l g=mod       require library 'mod' into global 'g'\n"
    "  -i             enter the REPL after running script (implies -v)\n"
    "  -v             show version information\n"
    "  -E             ignore environment variables\n"
    "  -W             turn warnings on\n"
    "  -t, --to NAME  deliver input records to the actor registered as NAME\n"
    "  -j, --json     input records are JSON values, one per line\n"
    "  -0, --null     input records are separated by NUL bytes\n"
    "  --raw          input records are chunks as read, no framing\n"
    "  --input FILE   read input records from FILE instead of stdin\n"
    "  --slice MS     preemption time slice in milliseconds (0: off)\n"
    "  -d, --debug    log actor lifecycle events to stderr, and keep\n"
    "                 lactor's own frames in tracebacks\n"
    "  -h, --help     show this help and exit\n"
    "  --version      show the version and exit\n"
    "  --             stop handling options\n"
    "  -              run stdin as the script and stop handling options\n"
    "\n"
    "With no script and no -e, lactor starts the REPL when stdin is a\n"
    "terminal, and runs stdin as the script otherwise.  In the REPL, Ctrl-C\n"
    "cancels the running line and Ctrl-D stops the actors and exits.\n"
    "See lactor(1) for the command line and lactor(3) for the Lua API.\n",
    f);
}

static int usage_error(const char *fmt, const char *what) {
  fprintf(stderr, "%s: ", progname);
  fprintf(stderr, fmt, what);
  fprintf(stderr, "\nusage: lactor [options] [script [args...]]\n"
                  "try 'lactor --help' for more information\n");
  return EXIT_USAGE;
}

static void print_version(void) {
  printf("lactor %s (%s)\n", LACTOR_VERSION, LUA_RELEASE);
  fflush(stdout);
}

/* Is `a` the short option `s` or the long option `l`? */
static int is(const char *a, const char *s, const char *l) {
  return (s && strcmp(a, s) == 0) || (l && strcmp(a, l) == 0);
}

/* The options whose argument is the next word, whatever it looks like:
** both passes over argv must step over it (a file named -lx is no -l). */
static int takes_argument(const char *a) {
  return is(a, "-t", "--to") || is(a, NULL, "--input") || is(a, NULL, "--slice");
}

/* Is argv[script] "-", standard input?  After "--", "-" is a file's
** name, as in lua.  0 is no script. */
static int script_is_stdin(char **argv, int script) {
  return script && strcmp(argv[script], "-") == 0 &&
         strcmp(argv[script - 1], "--") != 0;
}

/* First pass over argv: checks the options and finds the script.
** Returns -1 when the options are fine, else an exit status. */
static int collect(int argc, char **argv, options *o) {
  int i;
  for (i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (a[0] != '-') { o->script = i; break; }
    if (strcmp(a, "--") == 0) {
      if (i + 1 < argc) o->script = i + 1;
      break;
    }
    if (strcmp(a, "-") == 0) { o->script = i; break; }
    if (is(a, "-h", "--help")) {
      print_usage(stdout);
      return EXIT_OK;
    }
    if (is(a, NULL, "--version")) { print_version(); return EXIT_OK; }
    if (is(a, "-d", "--debug")) o->debug = 1;
    else if (is(a, "-v", NULL)) o->has_v = 1;
    else if (is(a, "-i", NULL)) o->has_i = o->has_v = 1;   /* as lua */
    else if (is(a, "-E", NULL)) o->has_E = 1;
    else if (is(a, "-W", NULL)) o->has_W = 1;
    else if (is(a, "-j", "--json")) o->format = "json", o->input_opt = a;
    else if (is(a, "-0", "--null")) o->format = "null", o->input_opt = a;
    else if (is(a, NULL, "--raw")) o->format = "raw", o->input_opt = a;
    else if (takes_argument(a)) {
      if (++i >= argc) return usage_error("'%s' needs an argument", a);
      if (is(a, NULL, "--slice")) {
        char *end;
        o->slice = strtod(argv[i], &end);
        if (end == argv[i] || *end != '\0' || !(o->slice >= 0) ||
            isinf(o->slice))
          return usage_error("'--slice' needs a number of milliseconds, "
                             "not '%s'", argv[i]);
      }
      else {
        if (a[2] == 'i') o->input = argv[i];
        else o->to = argv[i];
        o->input_opt = a;
      }
    }
    else if (strncmp(a, "-e", 2) == 0 || strncmp(a, "-l", 2) == 0) {
      if (a[1] == 'e') o->has_e = 1;
      if (a[2] == '\0' && (++i >= argc || argv[i][0] == '-'))
        return usage_error("'%s' needs an argument", a);
    }
    else return usage_error("unrecognized option '%s'", a);
  }
  /* Input options with stdin as the script: no code to take the records.
  ** The REPL's lines can (lactor.input, with --input FILE). */
  if (o->input_opt && !o->script && !o->has_e && !o->has_i)
    return usage_error("'%s' needs a script or -e", o->input_opt);
  if (o->has_i && o->to && !o->input)
    return usage_error("'-i' and '%s' would both read stdin: give the "
                       "records with --input FILE", "-t");
  if (o->input_opt && !o->input && script_is_stdin(argv, o->script))
    return usage_error("'%s' and '-' would both read stdin: give the "
                       "records with --input FILE", o->input_opt);
  return -1;
}

/* Builds the list of steps the main proc runs, in command-line order:
** LUA_INIT, each -e and -l, the script.  Each step is {fn, args...}.
** A chunk is loaded only when its turn comes, as lua does (`-e 'print(1)'
** bad.lua` prints 1 before the syntax error), so its step has false for
** fn and says where the chunk is (see load_step). */
static int add_step(lua_State *L, int steps, int nargs) {
  int i, n = (int)lua_rawlen(L, steps) + 1;
  lua_createtable(L, nargs + 1, 1);
  lua_insert(L, -(nargs + 2));
  for (i = nargs + 1; i >= 1; i--) lua_rawseti(L, -(i + 1), i);
  lua_pushinteger(L, nargs);
  lua_setfield(L, -2, "n");
  lua_rawseti(L, steps, n);
  return n;
}

/* -l [g=]mod: global g (or mod) = require(mod). */
static int dolibrary(lua_State *L) {
  const char *globname = luaL_checkstring(L, 1);
  const char *modname = luaL_checkstring(L, 2);
  lua_getglobal(L, "require");
  lua_pushstring(L, modname);
  lua_call(L, 1, 1);
  lua_setglobal(L, globname);
  return 0;
}

/* Reports a load error; returns the exit status for it. */
static int load_failed(lua_State *L, int status) {
  size_t len;
  const char *msg = lua_tolstring(L, -1, &len);
  lx_report(msg, len);
  return status == LUA_ERRFILE ? EXIT_USAGE : EXIT_ERROR;
}

/* Adds the step of a chunk to load later: the source `s` named `name`,
** or (s NULL) the file `name`, stdin when NULL; with the `nargs`
** arguments on top of L (pops them). */
static void add_chunk_step(lua_State *L, int steps, const char *s,
                           const char *name, int nargs) {
  lua_pushboolean(L, 0);                       /* fn: not loaded yet */
  lua_insert(L, -(nargs + 1));
  lua_rawgeti(L, steps, add_step(L, steps, nargs));
  if (s) {
    lua_pushstring(L, s);
    lua_setfield(L, -2, "chunk");
  }
  if (name) {
    lua_pushstring(L, name);
    lua_setfield(L, -2, "name");
  }
  lua_pop(L, 1);
}

/* Loads the chunk of the step at `step` into the stack slot above it.
** A chunk that does not load is reported as lua reports it (no
** traceback) and ends the run: exit 1, or 2 for an unreadable file; the
** actors that earlier steps started are stopped.  Returns whether it
** loaded. */
static int load_step(lua_State *L, int step) {
  const char *name, *chunk;
  int status;
  lua_getfield(L, step, "name");
  lua_getfield(L, step, "chunk");
  name = lua_tostring(L, -2);
  chunk = lua_tostring(L, -1);
  if (chunk) status = luaL_loadbuffer(L, chunk, lua_rawlen(L, -1), name);
  else status = luaL_loadfile(L, name);
  if (status != LUA_OK) {
    /* A LUA_INIT=@file that cannot be read is an error in LUA_INIT, as
    ** in lua, not a usage error. */
    if (lua_getfield(L, step, "init") != LUA_TNIL) status = LUA_ERRRUN;
    lua_pop(L, 1);
    lx_loop_shutdown(lx_proc_of(L)->loop, load_failed(L, status));
    return 0;
  }
  lua_replace(L, step + 1);
  lua_pop(L, 2);
  return 1;
}

static void add_luainit(lua_State *L, int steps) {
  const char *name = "=LUA_INIT_" LUA_VERSION_MAJOR "_" LUA_VERSION_MINOR;
  const char *init = getenv(name + 1);
  if (init == NULL) {
    name = "=LUA_INIT";
    init = getenv(name + 1);
  }
  if (init == NULL) return;
  if (init[0] == '@') {
    add_chunk_step(L, steps, NULL, init + 1, 0);
    lua_rawgeti(L, steps, (lua_Integer)lua_rawlen(L, steps));
    lua_pushboolean(L, 1);
    lua_setfield(L, -2, "init");     /* see load_step */
    lua_pop(L, 1);
  }
  else add_chunk_step(L, steps, init, name, 0);
}

static void add_args(lua_State *L, int steps, int argc, char **argv,
                     const options *o) {
  int i;
  for (i = 1; i < argc && (o->script == 0 || i < o->script); i++) {
    const char *a = argv[i], *extra;
    if (strcmp(a, "--") == 0) break;
    if (takes_argument(a)) {          /* its argument is no option */
      i++;
      continue;
    }
    if (a[0] != '-' || (a[1] != 'e' && a[1] != 'l')) continue;
    extra = a[2] ? a + 2 : argv[++i];
    if (a[1] == 'e') add_chunk_step(L, steps, extra, "=(command line)", 0);
    else {
      const char *eq = strchr(extra, '=');
      lua_pushcfunction(L, dolibrary);
      if (eq) {
        lua_pushlstring(L, extra, (size_t)(eq - extra));
        lua_pushstring(L, eq + 1);
      }
      else {
        lua_pushstring(L, extra);
        lua_pushstring(L, extra);
      }
      add_step(L, steps, 2);
    }
  }
}

/* Adds the script's step, with its arguments; returns 0 when there are
** more of them than a Lua stack holds. */
static int add_script(lua_State *L, int steps, int argc, char **argv,
                      int script) {
  const char *fname = script_is_stdin(argv, script) ? NULL : argv[script];
  int i, nargs = argc - script - 1;
  if (!lua_checkstack(L, nargs + 1)) return 0;
  for (i = script + 1; i < argc; i++) lua_pushstring(L, argv[i]);
  add_chunk_step(L, steps, NULL, fname, nargs);
  return 1;
}

/* The arg table, as lua.c makes it: the script at 0, its arguments at
** 1.., the interpreter and its options at negative indices. */
static void create_arg_table(lua_State *L, int argc, char **argv, int script) {
  int i;
  lua_createtable(L, argc, 1);
  for (i = 0; i < argc; i++) {
    lua_pushstring(L, argv[i]);
    lua_rawseti(L, -2, i - script);
  }
  lua_setglobal(L, "arg");
}

/* The body of the main proc: runs each step; a step may wait. */
static int run_steps_from(lua_State *L, int status, lua_KContext ctx) {
  lua_Integer i, n = (lua_Integer)lua_rawlen(L, 1);
  (void)status;
  for (i = (lua_Integer)ctx + 1; i <= n; i++) {
    int j, nargs;
    lua_settop(L, 1);
    lua_rawgeti(L, 1, i);
    nargs = (int)(lua_getfield(L, 2, "n"), lua_tointeger(L, -1));
    lua_pop(L, 1);
    luaL_checkstack(L, nargs + 1, "too many arguments to script");
    for (j = 1; j <= nargs + 1; j++) lua_rawgeti(L, 2, j);
    if (!lua_toboolean(L, 3) && !load_step(L, 2)) return 0;
    lua_remove(L, 2);
    lua_callk(L, nargs, 0, (lua_KContext)i, run_steps_from);
  }
  return 0;
}

static int run_steps(lua_State *L) {
  return run_steps_from(L, LUA_OK, 0);
}

int main(int argc, char **argv) {
  options o;
  const char *stdin_taken = NULL;   /* why stdin cannot be the input */
  lx_runtime *rt;
  lua_State *L;
  int status, steps, script;
  memset(&o, 0, sizeof o);
  o.slice = 10;                  /* milliseconds */
  status = collect(argc, argv, &o);
  if (status >= 0) return status;
  lx_input_guard_stdin();
  /* A closed stdout pipe ends lactor as it ends cat, even when the parent
  ** ignored SIGPIPE for us. */
  signal(SIGPIPE, SIG_DFL);
  rt = lx_runtime_new(o.debug);
  if (rt == NULL) {
    fprintf(stderr, "%s: not enough memory\n", progname);
    return EXIT_ERROR;
  }
  L = rt->L;
  if (lx_preempt_init(o.slice) != 0)
    fprintf(stderr, "%s: preemption is off: %s\n", progname, strerror(errno));
  if (lx_runtime_open(rt, o.has_E) != LUA_OK) {
    status = load_failed(L, LUA_ERRRUN);
    lx_runtime_free(rt);
    return status;
  }
  /* No script and no -e on a terminal: the REPL, after the version, as
  ** lua does. */
  if (!o.script && !o.has_e && !o.has_v && isatty(0)) o.has_i = o.has_v = 1;
  if (o.has_i) stdin_taken = "stdin is read by the REPL";
  else if (script_is_stdin(argv, o.script) ||
           (!o.script && !o.has_e && !o.has_v))
    stdin_taken = "stdin is read as the script";
  if (lx_input_defaults(L, rt->loop, o.input, o.format, stdin_taken) != 0) {
    fprintf(stderr, "%s: cannot open %s: %s\n", progname, o.input,
            strerror(errno));
    lx_runtime_free(rt);
    return EXIT_USAGE;
  }
  if (o.has_v) print_version();
  if (o.has_W) lua_warning(L, "@on", 0);
  script = o.script;
  create_arg_table(L, argc, argv, script ? script : 0);
  lua_newtable(L);
  steps = lua_gettop(L);
  if (!o.has_E) add_luainit(L, steps);
  add_args(L, steps, argc, argv, &o);
  status = -1;
  if (script) {
    if (!add_script(L, steps, argc, argv, script)) {
      fprintf(stderr, "%s: too many arguments to script\n", progname);
      status = EXIT_ERROR;
    }
  }
  else if (!o.has_e && !o.has_v)   /* stdin is the script, as with lua */
    add_chunk_step(L, steps, NULL, NULL, 0);
  if (status < 0 && o.to) {       /* -t NAME: after the script */
    if (lx_runtime_require(L, "lactor.input") != LUA_OK) {
      status = load_failed(L, LUA_ERRRUN);
    } else {
      lua_pop(L, 1);
      lx_input_push_to(L);
      lua_pushstring(L, o.to);
      add_step(L, steps, 1);
    }
  }
  if (status < 0 && o.has_i) {   /* the REPL: after everything else */
    lx_repl_push_step(L);
    add_step(L, steps, 0);
  }
  if (status < 0) {
    lua_pushcfunction(L, run_steps);
    lua_pushnil(L);                              /* no owner */
    lua_insert(L, -2);
    lua_pushvalue(L, steps);
    lx_proc_spawn(rt->loop, L, LX_MAIN, -3, 1);
    lua_settop(L, 0);
    status = lx_loop_run(rt->loop);
  }
  lx_runtime_free(rt);
  lx_preempt_free();
  return status;
}
