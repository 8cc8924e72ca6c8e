/*
** The REPL.  Input comes from an ev_io watcher on fd 0: on a terminal,
** through GNU readline's callback interface (rl_callback_read_char, one
** key at a time), otherwise (or when built with READLINE=0) as plain
** lines.  Each line goes to repl.lua's feed(), which compiles it and
** spawns a task for it; the next prompt appears once that task calls
** done().  Nothing here waits: the loop runs actors and timers between
** keystrokes and while a line waits on a future.
**
** Ctrl-C is a sigaction handler, as in lua.c: an ev_signal watcher runs
** only when the loop gets control back, which a line spinning in Lua code
** never gives it.  The handler arms a count hook on the line's coroutine
** (the hook raises "interrupted!" at the next instruction of user code)
** and wakes the loop through an ev_async watcher, whose callback cancels a
** line that waits (kills its proc) or clears the line being edited.
**
** Output that actors print while a prompt is shown must not land in the
** middle of the line being edited.  With readline, the C streams stdout
** and stderr, and the io library's io.stdout and io.stderr, are swapped
** for fopencookie streams while the REPL runs, so that print, io.write,
** lactor.emit and the runtime's own reports all pass through
** term_write(): the first write erases the prompt and the edited line,
** and an ev_prepare watcher draws them again before the loop waits.
*/
#define _GNU_SOURCE              /* fopencookie */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lualib.h>

#ifdef LX_READLINE
#include <readline/history.h>
#include <readline/readline.h>
#endif

#include "embed.h"
#include "loop.h"
#include "preempt.h"
#include "repl.h"

#define PROMPT1 "> "
#define PROMPT2 ">> "
#define HISTORY_MAX 1000

/* Where the REPL is. */
enum {
  PROMPTING,   /* waiting for a line */
  RUNNING,     /* a line's task runs */
  FINISHED,    /* the prompt is due (on_later shows it) */
  OVER         /* input ended, or the run is ending */
};

static struct {
  lx_loop *lp;
  lua_State *L;                /* the main thread */
  struct ev_loop *ev;
  ev_io input;                 /* fd 0 */
  ev_async wake;               /* Ctrl-C */
  ev_idle later;               /* the prompt is due: next() */
  ev_prepare redraw;           /* draws an erased prompt again */
  ev_signal winch;             /* the terminal was resized */
  ev_async continued;          /* fg after Ctrl-Z: draw the prompt again */
  int state;
  int tty;                     /* stdin is a terminal: prompts */
  int editing;                 /* readline is in use */
  int installed;               /* readline's handler is installed */
  int hidden;                  /* output erased the prompt */
  int in_readline;             /* inside rl_callback_read_char */
  int column0;                 /* the last byte out was a newline */
  int eof;                     /* plain input: read() saw the end */
  const char *prompt;
  char *buf;                   /* plain input not yet fed */
  size_t len, cap;
  char *history;               /* the history file, or NULL */
  char *chunk;                 /* the lines of an unfinished chunk, for
                                  history: it keeps the chunk as one */
  FILE *term;                  /* readline's output: the real terminal */
  FILE *saved[3], *cookie[3];  /* [1] stdout, [2] stderr */
  luaL_Stream *stream[3];      /* io.stdout, io.stderr */
  struct sigaction old_sigint;
  lua_State *volatile line;    /* the running line's coroutine */
  volatile sig_atomic_t interrupted;
  volatile sig_atomic_t raised;   /* interrupt_hook raised since the Ctrl-C */
  lua_State *volatile interrupted_line;  /* the line running then, or NULL */
  struct termios saved_term;   /* the terminal as lactor found it */
  int resized;                 /* SIGWINCH while readline was not in use */
} R;

static const char module_key = 'm';     /* registry: lactor.repl */
static const char interrupt_key = 'i';  /* registry: the Ctrl-C error */

static void next(void);
static void stop(void);

/* The prompt is due; next() shows it from a callback of its own, outside
** readline's callback and outside the line's task. */
static void due(void) {
  R.state = FINISHED;
  ev_idle_start(R.ev, &R.later);
}

/* {===================================================================
** Calling repl.lua
** ==================================================================== */

static int msgh(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  luaL_traceback(L, L, msg ? msg : "(error object is not a string)", 1);
  return 1;
}

/* Calls repl.lua's `name` on the main thread with the `nargs` values on
** top of its stack (pops them); pushes `nres` results, or reports the
** error and pushes nothing and returns 0. */
static int call(const char *name, int nargs, int nres) {
  lua_State *L = R.L;
  int base = lua_gettop(L) - nargs;
  lua_pushcfunction(L, msgh);
  lua_rawgetp(L, LUA_REGISTRYINDEX, &module_key);
  lua_getfield(L, -1, name);
  lua_remove(L, -2);
  lua_rotate(L, base + 1, 2);               /* msgh fn args */
  if (lua_pcall(L, nargs, nres, base + 1) != LUA_OK) {
    size_t len;
    const char *msg = lua_tolstring(L, -1, &len);
    lx_report(msg ? msg : "?", msg ? len : 1);
    lua_settop(L, base);
    return 0;
  }
  lua_remove(L, base + 1);
  return 1;
}

/* }=================================================================== */

/* {===================================================================
** Ctrl-C
** ==================================================================== */

/* Raises the Ctrl-C error at the next instruction of user code, as lua's
** hook does; code that catches it gets LX_GRACE instructions, so that it
** can clean up as in lua, and then the error again at every instruction,
** so that a pcall in a loop cannot swallow it.  The line's task, in
** lactor's own code, catches it and calls done(), which removes the
** hook.  lactor's own Lua code is never cut in half. */
static void interrupt_hook(lua_State *L, lua_Debug *ar) {
  static const char prefix[] = "@" LX_EMBED_PREFIX;
  if (lua_getinfo(L, "S", ar) &&
      strncmp(ar->source, prefix, sizeof prefix - 1) == 0)
    return;
  lua_sethook(L, interrupt_hook, LUA_MASKCOUNT, R.raised ? 1 : LX_GRACE);
  R.raised = 1;
  lua_rawgetp(L, LUA_REGISTRYINDEX, &interrupt_key);
  lua_error(L);
}

/* Ctrl-C.  The line gets the REPL's hook.  Anything else running (an
** actor, a task) gets the loop's, as SIGINT without the REPL would arm
** it: it yields, or gets "interrupted!" where it cannot, and the loop
** gets its turn; found running at a later Ctrl-C under --slice 0 without
** having waited since, it is a runaway (nothing else stops it) and gets
** "interrupted!" even where it can yield.  A second Ctrl-C before the
** loop served the first means that something spins where no hook
** reaches (C code, a script's own coroutine): lactor ends at once, as
** lua does, with the terminal as it was. */
static void on_sigint(int sig) {
  lua_State *co = R.line;
  lx_proc *p = lx_preempt_running();
  (void)sig;
  if (R.interrupted) {
    if (lx_loop_signal_echo()) return;
    if (R.tty) tcsetattr(0, TCSANOW, &R.saved_term);
    _exit(128 + SIGINT);
  }
  lx_loop_signal_taken();
  R.interrupted = 1;
  R.interrupted_line = co;
  R.raised = 0;
  if (co) lua_sethook(co, interrupt_hook, LUA_MASKCOUNT, 1);
  if (p != NULL && p->co != co) {
    /* With preemption on, a proc that can yield never keeps the REPL
    ** waiting: a busy actor that two Ctrl-Cs at the prompt find running
    ** is no runaway. */
    int runaway = p->ctrl_c && lx_preempt_slice() == 0;
    lx_preempt_now(runaway ? LX_INTERRUPT : LX_STOP);
    p->ctrl_c = 1;
  }
  ev_async_send(R.ev, &R.wake);
}

/* A line that waits (or that the preemption timer stopped first) is
** cancelled here: its proc never runs again, and its to-be-closed
** variables close, as coroutine.close closes them (with no error); an
** error in a __close is shown before the "interrupted!". */
static void cancel(void) {
  lua_State *co = R.line;
  R.line = NULL;
  if (co && lx_proc_of(co)) {
    lua_pushthread(co);                /* kept: the kill lets go of it */
    lua_xmove(co, R.L, 1);
    lx_proc_kill(lx_proc_of(co));
    lua_sethook(co, NULL, 0, 0);       /* the Ctrl-C's, for the line */
    if (lx_close_thread(co, R.L) != LUA_OK) {
      const char *msg = lua_tostring(co, -1);
      fflush(stdout);
      fprintf(stderr, "%s\n", msg ? msg : "(error object is not a string)");
    }
    lua_settop(co, 0);
    lua_pop(R.L, 1);
  }
  fflush(stdout);
  fputs("interrupted!\n", stderr);
  fflush(stderr);
  due();
}

/* done(): the line's task ends (called last by repl.lua).  A Ctrl-C
** that came while it ran was for it, even if the hook never fired. */
static int l_done(lua_State *L) {
  lua_sethook(L, NULL, 0, 0);
  R.line = NULL;
  R.interrupted = 0;
  if (R.state == RUNNING) due();
  return 0;
}

/* }=================================================================== */

/* {===================================================================
** Output while a prompt is shown
** ==================================================================== */

#ifdef LX_READLINE
static const char stream_key[3] = {0};  /* anchors of io.stdout, io.stderr */

/* Erases the prompt and the line being edited, once, before output. */
static void above_prompt(void) {
  if (!R.installed || R.hidden || R.in_readline) return;
  rl_clear_visible_line();
  fflush(R.term);
  R.hidden = 1;
}

/* Before the loop waits: the prompt back under what was printed. */
static void on_redraw(struct ev_loop *ev, ev_prepare *w, int revents) {
  (void)ev; (void)w; (void)revents;
  fflush(stdout);
  fflush(stderr);
  if (!R.hidden) return;
  R.hidden = 0;
  if (!R.installed) return;
  if (!R.column0) {           /* output without a final newline */
    fputc('\n', R.term);
    R.column0 = 1;
  }
  rl_on_new_line();
  rl_redisplay();
}

static ssize_t term_write(void *cookie, const char *buf, size_t size) {
  int fd = (int)(intptr_t)cookie;
  size_t done = 0;
  if (size == 0) return 0;
  above_prompt();
  while (done < size) {
    ssize_t n = write(fd, buf + done, size - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return done > 0 ? (ssize_t)done : -1;
    }
    done += (size_t)n;
  }
  R.column0 = buf[size - 1] == '\n';
  return (ssize_t)size;
}

/* Swaps stdout and stderr (those on a terminal) for streams through
** term_write, in C and in the io library. */
static void swap_streams(lua_State *L) {
  static const cookie_io_functions_t io = {NULL, term_write, NULL, NULL};
  static const char *const names[3] = {NULL, "stdout", "stderr"};
  int fd;
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
  lua_getfield(L, -1, LUA_IOLIBNAME);
  for (fd = 1; fd <= 2; fd++) {
    FILE *old = fd == 1 ? stdout : stderr, *c;
    luaL_Stream *s;
    if (!isatty(fd)) continue;
    c = fopencookie((void *)(intptr_t)fd, "w", io);
    if (c == NULL) continue;
    setvbuf(c, NULL, fd == 1 ? _IOLBF : _IONBF, BUFSIZ);
    fflush(old);
    R.saved[fd] = old;
    R.cookie[fd] = c;
    if (fd == 1) stdout = c;
    else stderr = c;
    if (lua_istable(L, -1)) {
      lua_getfield(L, -1, names[fd]);
      s = (luaL_Stream *)luaL_testudata(L, -1, LUA_FILEHANDLE);
      if (s && s->f == old) {
        s->f = c;
        R.stream[fd] = s;
        lx_anchor(L, &stream_key[fd], -1);   /* s stays valid */
      }
      lua_pop(L, 1);
    }
  }
  lua_pop(L, 2);
}

static void restore_streams(void) {
  int fd;
  for (fd = 1; fd <= 2; fd++) {
    if (R.cookie[fd] == NULL) continue;
    fflush(R.cookie[fd]);
    if (fd == 1) stdout = R.saved[fd];
    else stderr = R.saved[fd];
    if (R.stream[fd]) {
      R.stream[fd]->f = R.saved[fd];
      R.stream[fd] = NULL;
      lx_unanchor(R.L, &stream_key[fd]);
    }
    fclose(R.cookie[fd]);
    R.cookie[fd] = NULL;
  }
}
#endif

/* }=================================================================== */

/* {===================================================================
** readline: editing, history, completion
** ==================================================================== */

#ifdef LX_READLINE
static char **candidates;   /* repl.lua's complete(), for generate() */

static void free_candidates(void) {
  size_t i;
  if (candidates == NULL) return;
  for (i = 0; candidates[i]; i++) free(candidates[i]);
  free(candidates);
  candidates = NULL;
}

static char *generate(const char *text, int state) {
  static size_t i;
  (void)text;
  if (state == 0) i = 0;
  if (candidates == NULL || candidates[i] == NULL) return NULL;
  return strdup(candidates[i++]);
}

/* Tab: globals, or the fields of what the dotted prefix names. */
static char **complete(const char *text, int start, int end) {
  lua_State *L = R.L;
  (void)start; (void)end;
  rl_attempted_completion_over = 1;     /* never file names */
  rl_completion_append_character = '\0';
  free_candidates();
  lua_pushstring(L, text);
  if (call("complete", 1, 1)) {
    lua_Integer i, n = (lua_Integer)lua_rawlen(L, -1);
    candidates = (char **)calloc((size_t)n + 1, sizeof *candidates);
    for (i = 1; candidates && i <= n; i++) {
      lua_rawgeti(L, -1, i);
      candidates[i - 1] = strdup(lua_tostring(L, -1));
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  return rl_completion_matches(text, generate);
}

static void on_line(char *line);

static void install(void) {
  if (!R.column0) {           /* the last output had no final newline */
    fputc('\n', R.term);
    R.column0 = 1;
  }
  if (R.resized) {                    /* while a line ran */
    rl_reset_screen_size();
    R.resized = 0;
  }
  rl_callback_handler_install(R.prompt, on_line);
  R.installed = 1;
  R.hidden = 0;
}

static void uninstall(void) {
  if (!R.installed) return;
  rl_callback_handler_remove();
  R.installed = 0;
  R.hidden = 0;
}

static void end_of_input(void);

static void drop_chunk(void) {
  free(R.chunk);
  R.chunk = NULL;
}

static void save_entry(const char *entry) {
  if (entry[0] == '\0') return;
  add_history(entry);
  if (R.history) append_history(1, R.history);
}

/* Keeps `line` for history: alone, or as the last line of a chunk whose
** first lines came before, joined as lua.c joins them; with `more`, the
** chunk goes on. */
static void remember(const char *line, int more) {
  const char *entry = line;
  char *joined = NULL;
  if (R.chunk) {
    size_t n = strlen(R.chunk), m = strlen(line);
    joined = (char *)malloc(n + m + 2);
    if (joined == NULL) return;        /* history is not worth an error */
    memcpy(joined, R.chunk, n);
    joined[n] = '\n';
    memcpy(joined + n + 1, line, m + 1);
    entry = joined;
  }
  if (more) {
    if (joined == NULL) joined = strdup(line);
    free(R.chunk);
    R.chunk = joined;
    return;
  }
  save_entry(entry);
  free(joined);
  drop_chunk();
}

static void on_line(char *line) {
  uninstall();
  ev_io_stop(R.ev, &R.input);
  R.column0 = 1;              /* readline moved to a new line */
  if (line == NULL) {         /* Ctrl-D: readline moved to a new line */
    if (strcmp(R.prompt, PROMPT2) == 0) {   /* in a chunk: reported, as lua does */
      rl_eof_found = 0;        /* readline goes on: the input has not ended */
      if (R.chunk) save_entry(R.chunk);   /* unfinished, as lua keeps it */
      drop_chunk();
      call("eof", 0, 0);
      R.prompt = PROMPT1;
      R.state = FINISHED;
      due();
      return;
    }
    end_of_input();
    return;
  }
  lua_pushstring(R.L, line);
  R.state = FINISHED;         /* unless feed() starts a task */
  if (call("feed", 1, 1)) {
    if (lua_isthread(R.L, -1)) {
      R.line = lua_tothread(R.L, -1);
      R.state = RUNNING;
      R.prompt = PROMPT1;
    }
    else R.prompt = lua_tostring(R.L, -1)[1] == '>' ? PROMPT2 : PROMPT1;
    lua_pop(R.L, 1);
  }
  remember(line, strcmp(R.prompt, PROMPT2) == 0);
  free(line);
  /* Readline clears its line buffer after this returns: the next
  ** prompt is installed later. */
  if (R.state == FINISHED) due();
}

static void on_key(struct ev_loop *ev, ev_io *w, int revents) {
  (void)ev; (void)w; (void)revents;
  R.in_readline = 1;
  rl_callback_read_char();
  R.in_readline = 0;
}

static void on_winch(struct ev_loop *ev, ev_signal *w, int revents) {
  (void)ev; (void)w; (void)revents;
  if (R.installed) rl_resize_terminal();
  else R.resized = 1;                  /* read the size at install() */
}

/* Ctrl-C at the prompt: "^C" after the text, and a fresh prompt. */
static void clear_line(void) {
  rl_callback_sigcleanup();
  rl_free_line_state();
  rl_point = rl_end;
  rl_redisplay();
  fputs("^C\n", R.term);
  R.column0 = 1;
  uninstall();
  rl_replace_line("", 1);
  using_history();
}

static void history_open(void) {
  const char *file = getenv("LACTOR_HISTORY"), *home = getenv("HOME");
  using_history();
  stifle_history(HISTORY_MAX);
  /* A chunk of several lines is one entry (remember()): in the file,
  ** each entry after a timestamp line, so that it reads back as one. */
  history_comment_char = '#';
  history_write_timestamps = 1;
  history_multiline_entries = 1;
  if (file && file[0]) R.history = strdup(file);
  else if (home && home[0]) {
    static const char name[] = "/.lactor_history";
    R.history = (char *)malloc(strlen(home) + sizeof name);
    if (R.history) strcat(strcpy(R.history, home), name);
  }
  if (R.history && read_history(R.history) == ENOENT)
    write_history(R.history);        /* append_history needs the file */
}

static void history_close(void) {
  drop_chunk();
  if (R.history) history_truncate_file(R.history, HISTORY_MAX);
  clear_history();
  free(R.history);
  R.history = NULL;
}

/* Ctrl-Z, Ctrl-\ and a hang-up, while readline may have the terminal
** raw.  Readline's own handlers would also take SIGINT, SIGTERM and
** SIGALRM, which are lactor's (rl_catch_signals is off), so these do what
** readline's do for the others: the terminal goes back as lactor found
** it before the signal's own action; after a stop, at fg, it goes back
** to the mode it was in, and on_continued draws the prompt and the line
** again.  Only system calls here: a handler may not call readline. */
static const int terminal_signals[] = {SIGTSTP, SIGQUIT, SIGHUP};
#define NTERMINAL (sizeof terminal_signals / sizeof terminal_signals[0])
static struct sigaction terminal_old[NTERMINAL];

static void on_terminal_signal(int sig) {
  int saved_errno = errno, have_mode;
  struct termios mode;
  struct sigaction dfl, ours;
  sigset_t set;
  have_mode = tcgetattr(0, &mode) == 0;
  tcsetattr(0, TCSADRAIN, &R.saved_term);
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigaction(sig, &dfl, &ours);
  raise(sig);                          /* pending: this handler blocks it */
  sigemptyset(&set);
  sigaddset(&set, sig);
  sigprocmask(SIG_UNBLOCK, &set, NULL);   /* stops or ends lactor here */
  sigaction(sig, &ours, NULL);         /* continued */
  if (have_mode) tcsetattr(0, TCSADRAIN, &mode);
  ev_async_send(R.ev, &R.continued);
  errno = saved_errno;
}

static void on_continued(struct ev_loop *ev, ev_async *w, int revents) {
  (void)ev; (void)w; (void)revents;
  if (!R.installed) return;
  R.hidden = 1;                        /* for on_redraw */
  R.column0 = 1;                       /* the shell ended its line */
}

/* Only where the signal's action is the default one: a hang-up that
** nohup ignores stays ignored. */
static void catch_terminal_signals(void) {
  struct sigaction sa;
  size_t i;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_terminal_signal;
  sa.sa_flags = SA_RESTART;
  sigfillset(&sa.sa_mask);
  for (i = 0; i < NTERMINAL; i++)
    if (sigaction(terminal_signals[i], NULL, &terminal_old[i]) == 0 &&
        terminal_old[i].sa_handler == SIG_DFL)
      sigaction(terminal_signals[i], &sa, NULL);
}

static void release_terminal_signals(void) {
  size_t i;
  for (i = 0; i < NTERMINAL; i++)
    if (terminal_old[i].sa_handler == SIG_DFL)
      sigaction(terminal_signals[i], &terminal_old[i], NULL);
}

/* The run ends under the prompt: the line being edited stays, and what
** comes next (on_stop's output, the shell's) goes below it. */
static void end_edited_line(void) {
  if (!R.installed || R.hidden) return;
  fputc('\n', R.term);
  fflush(R.term);
  R.column0 = 1;
}

/* A script's os.exit while the prompt is shown must not leave the
** terminal in readline's mode, nor the shell's next output on the line
** being edited. */
static void at_exit(void) {
  end_edited_line();
  uninstall();
}

static void editing_start(lua_State *L) {
  static int registered;
  swap_streams(L);
  R.term = isatty(1) ? R.saved[1] ? R.saved[1] : stdout
         : isatty(2) && R.saved[2] ? R.saved[2] : stdout;
  rl_readline_name = "lactor";
  rl_instream = stdin;
  rl_outstream = R.term;
  rl_catch_signals = 0;       /* SIGINT is on_sigint's */
  rl_catch_sigwinch = 0;      /* on_winch */
  rl_change_environment = 0;
  rl_completer_word_break_characters = " \t\n\"\\'`@$><=;|&{(+-*/%^~#,)}[]";
  rl_attempted_completion_function = complete;
  history_open();
  ev_io_init(&R.input, on_key, 0, EV_READ);
  ev_prepare_init(&R.redraw, on_redraw);
  ev_prepare_start(R.ev, &R.redraw);
  ev_unref(R.ev);
  ev_signal_init(&R.winch, on_winch, SIGWINCH);
  ev_signal_start(R.ev, &R.winch);
  ev_unref(R.ev);
  ev_async_init(&R.continued, on_continued);
  ev_async_start(R.ev, &R.continued);
  ev_unref(R.ev);
  catch_terminal_signals();
  if (!registered) registered = atexit(at_exit) == 0;
}

static void editing_stop(void) {
  uninstall();
  ev_ref(R.ev);
  ev_prepare_stop(R.ev, &R.redraw);
  ev_ref(R.ev);
  ev_signal_stop(R.ev, &R.winch);
  release_terminal_signals();
  ev_ref(R.ev);
  ev_async_stop(R.ev, &R.continued);
  history_close();
  free_candidates();
  restore_streams();
}
#endif

/* }=================================================================== */

/* {===================================================================
** Plain input: a pipe, a file, or a terminal without readline
** ==================================================================== */

static void show_prompt(void) {
  if (!R.tty) return;
  fputs(R.prompt, stdout);
  fflush(stdout);
}

/* Feeds the whole lines read so far, while no line runs. */
static void plain_lines(void) {
  while (R.state == PROMPTING) {
    char *nl = R.len > 0 ? (char *)memchr(R.buf, '\n', R.len) : NULL;
    size_t n, skip;
    if (nl) n = (size_t)(nl - R.buf), skip = n + 1;
    else if (R.eof && R.len > 0) n = skip = R.len;   /* no final newline */
    else break;
    lua_pushlstring(R.L, R.buf, n > 0 && R.buf[n - 1] == '\r' ? n - 1 : n);
    memmove(R.buf, R.buf + skip, R.len - skip);
    R.len -= skip;
    if (call("feed", 1, 1)) {
      if (lua_isthread(R.L, -1)) {
        R.line = lua_tothread(R.L, -1);
        R.state = RUNNING;
        R.prompt = PROMPT1;
      }
      else {
        R.prompt = lua_tostring(R.L, -1)[1] == '>' ? PROMPT2 : PROMPT1;
        show_prompt();
      }
      lua_pop(R.L, 1);
    }
  }
}

static void end_of_input(void);

static void on_plain(struct ev_loop *ev, ev_io *w, int revents) {
  ssize_t n;
  (void)revents;
  if (R.cap - R.len < 4096) {
    size_t cap = R.cap ? 2 * R.cap : 8192;
    char *buf = (char *)realloc(R.buf, cap);
    if (buf == NULL) return;            /* try again on the next turn */
    R.buf = buf;
    R.cap = cap;
  }
  n = read(0, R.buf + R.len, R.cap - R.len);
  if (n > 0) R.len += (size_t)n;
  else if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  else {
    R.eof = 1;
    ev_io_stop(ev, w);
  }
  if (R.state == PROMPTING) {
    plain_lines();
    if (R.state == PROMPTING && R.eof) end_of_input();
  }
}

/* }=================================================================== */

/* {===================================================================
** The REPL's life
** ==================================================================== */

/* The prompt is due: show it, or feed the next line already read, or
** end after the last one. */
static void next(void) {
  R.state = PROMPTING;
#ifdef LX_READLINE
  if (R.editing) {
    install();
    ev_io_start(R.ev, &R.input);
    return;
  }
#endif
  if (R.len == 0 && !R.eof) show_prompt();
  plain_lines();
  if (R.state == PROMPTING && R.eof) end_of_input();
}

/* Ctrl-C: cancel the line, or clear the one being edited.  What it does
** depends on whether a line ran when it came: piped input may already
** have started the next line by the time the loop gets here. */
static void on_wake(struct ev_loop *ev, ev_async *w, int revents) {
  (void)ev; (void)w; (void)revents;
  if (R.state == OVER) return;
  if (R.interrupted) {
    lua_State *was_running = R.interrupted_line;
    R.interrupted = 0;
    if (R.state == RUNNING && was_running != NULL && R.line == was_running) {
      /* A line queued to run (the preemption timer stopped it) meets
      ** the hook as soon as it runs on, and gets the error, which its
      ** code may catch, as in lua; armed again here, as a preemption
      ** that came between may have put the script's hook back in its
      ** place.  One that waits cannot run on: it is cancelled. */
      lx_proc *p = lx_proc_of(was_running);
      if (p == NULL || p->state != LX_READY) cancel();
      else if (!R.raised)
        lua_sethook(was_running, interrupt_hook, LUA_MASKCOUNT, 1);
    }
    else if (!R.tty) {                 /* nothing to cancel: as without */
      lx_loop_shutdown(R.lp, 128 + SIGINT);     /* the REPL */
      return;
    }
    else if (R.state == RUNNING) return;   /* typed after the Ctrl-C */
    else {
      call("reset", 0, 0);             /* drops an unfinished chunk */
#ifdef LX_READLINE
      drop_chunk();
#endif
      R.prompt = PROMPT1;
      if (R.state == FINISHED) return; /* a fresh prompt is on its way */
#ifdef LX_READLINE
      if (R.editing) {
        clear_line();
        due();
      }
      else
#endif
      {
        R.len = 0;                     /* the tty dropped the line too */
        fputs("\n", stdout);
        show_prompt();
      }
    }
  }
}

static void on_later(struct ev_loop *ev, ev_idle *w, int revents) {
  (void)revents;
  ev_idle_stop(ev, w);
  if (R.state == FINISHED) next();
}

/* Ctrl-D, or the end of the piped input: stop every actor, then exit 0
** (repl.lua's finish). */
static void end_of_input(void) {
  if (R.state == OVER) return;
  if (R.tty && !R.editing) fputs("\n", stdout);   /* after the ^D */
  call("eof", 0, 0);                   /* reports an unfinished chunk */
  stop();
  lua_pushboolean(R.L, R.tty);
  call("finish", 1, 0);
}

/* Lets go of the terminal, SIGINT and the streams. */
static void stop(void) {
  if (R.state == OVER) return;
  R.state = OVER;
  R.line = NULL;
  ev_io_stop(R.ev, &R.input);
  ev_idle_stop(R.ev, &R.later);
  if (!R.tty) ev_ref(R.ev);            /* it was unref'd */
  ev_async_stop(R.ev, &R.wake);
#ifdef LX_READLINE
  if (R.editing) editing_stop();
#endif
  sigaction(SIGINT, &R.old_sigint, NULL);
  lx_loop_set_repl(R.lp, NULL, NULL);  /* the loop's SIGINT again */
  free(R.buf);
  R.buf = NULL;
  R.len = R.cap = 0;
  fflush(stdout);
}

/* The run is ending (lactor.exit, SIGTERM, ...): the loop says so.  The
** prompt (and a half-typed line) stays; what the ending run prints, such
** as on_stop's output, goes below it. */
static void on_end(void *ud) {
  (void)ud;
#ifdef LX_READLINE
  end_edited_line();
#endif
  stop();
}

/* The step, in the main proc after the script: starts the REPL. */
static int start(lua_State *L) {
  static const luaL_Reg funcs[] = {{"done", l_done}, {NULL, NULL}};
  lx_proc *p = lx_proc_of(L);
  struct sigaction sa;
  luaL_argcheck(L, p != NULL, 1, "the REPL starts in the main proc");
  memset(&R, 0, sizeof R);
  R.lp = p->loop;
  R.L = lx_loop_L(R.lp);
  R.ev = lx_loop_ev(R.lp);
  R.tty = isatty(0);
  if (R.tty) tcgetattr(0, &R.saved_term);
  R.prompt = PROMPT1;
  R.column0 = 1;
  /* lactor.repl, loaded as require would (its preload entry). */
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
  if (lua_getfield(L, -1, "lactor.repl") == LUA_TNIL) {
    lua_pop(L, 1);
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_getfield(L, -1, "lactor.repl");
    lua_remove(L, -2);
    lua_pushliteral(L, "lactor.repl");
    lua_call(L, 1, 1);
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, "lactor.repl");
  }
  lua_pushvalue(L, -1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &module_key);
  lua_getfield(L, -1, "start");            /* start(c, tty) → Ctrl-C error */
  luaL_newlib(L, funcs);
  lua_pushboolean(L, R.tty);
  lua_call(L, 2, 1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &interrupt_key);
  lua_settop(L, 0);
  ev_async_init(&R.wake, on_wake);
  ev_async_start(R.ev, &R.wake);
  ev_idle_init(&R.later, on_later);
  /* On a terminal the REPL keeps the run alive until Ctrl-D, even while
  ** a line waits on a future nothing may ever resolve.  Piped input keeps
  ** it alive until its end; after that a stuck line is a deadlock. */
  if (!R.tty) ev_unref(R.ev);
#ifdef LX_READLINE
  R.editing = R.tty;
  if (R.editing) editing_start(L);
  else
#endif
  {
    ev_io_init(&R.input, on_plain, 0, EV_READ);
    ev_io_start(R.ev, &R.input);
  }
  lx_loop_set_repl(R.lp, on_end, NULL);
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sigint;
  sa.sa_flags = SA_RESTART;
  sigfillset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &R.old_sigint);
  due();                               /* the first prompt */
  return 0;
}

void lx_repl_push_step(lua_State *L) {
  lua_pushcfunction(L, start);
}

/* }=================================================================== */
