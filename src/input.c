/*
** The input: framing and pacing.  An ev_io watcher reads fd 0 (or the
** --input file) in big non-blocking reads; the bytes are framed into
** records and pushed straight into the target actor's mailbox, a whole
** read's worth per protected call, so the actor's loop pays nothing for
** them.  When the mailbox holds HIGH messages reading stops; an ev_check
** watcher of the lowest priority, at the end of every turn of the loop,
** looks at the mailbox again and reads on once it is below LOW.  The same
** look notices a target that died.
**
** Why a check watcher of the lowest priority: it runs after the actors
** of that turn (the loop's idle watcher), and before libev decides
** whether anything is left to do.  A paused input thus never lets the run
** end under an actor that has just emptied its mailbox, yet it holds no
** reference on the loop of its own, so an actor stuck on a future that
** nothing can resolve is still found as a deadlock instead of hanging.
**
** A rejected record's report is held until the target has handled the
** messages queued before it, and the records after it wait for the
** report: at a terminal, where stdout and stderr meet, it then comes
** between the output of the records read before it and after it, in the
** order of the input.  input.lua's behind(c) tells when.
**
** The mailbox is the one lua/lactor/actor.lua keeps in the actor's core
** table `c`, from c[HEAD] to c[TAIL] - 1 (input_attach is told where
** HEAD and TAIL are), where a tell takes one slot: its message.  Pushing
** a batch writes the records and c[TAIL], then calls the Lua side
** (input.lua) to queue the actor if it was idle.  The slots waiting count
** as the messages queued: the script's own asks and stops, three slots
** each, only make reading pause a little sooner.
*/
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lauxlib.h>

#include "input.h"

#define LX_INPUT_META "lactor.Input"

#define READ_SIZE   65536        /* bytes asked of read(): few system calls */
#define HIGH        1024         /* messages queued: stop reading */
#define LOW         (HIGH / 2)   /* below this many again: read on */
#define DEFAULT_MAX (16 << 20)   /* max_record */

enum { LINES, JSON, NUL, RAW };
static const char *const formats[] = {"lines", "json", "null", "raw", NULL};

enum { UNUSED, ATTACHED, DONE };

/* User values of the input userdata. */
enum { UV_NAME = 1, UV_TARGET, UV_DELIVERED, UV_ENDED, UV_DECODE,
       UV_BEHIND, UV_HELD, NUV = UV_HELD };

typedef struct lx_input {
  lx_loop *lp;
  ev_io io;              /* started while reading: keeps the loop alive */
  ev_check watch;        /* while attached; unref'd, so it keeps nothing */
  int fd, own_fd;        /* own_fd: the --input file, closed at the end */
  int state;
  int reading;           /* io is started */
  int paused;            /* the mailbox was full */
  int eof;               /* read() said so; the buffer may still hold records */
  int skipping;          /* dropping an over-long record up to its separator */
  int held;              /* a rejected record's report waits in UV_HELD */
  int format, default_format;
  const char *stdin_taken;  /* why stdin is not the input's, or NULL */
  size_t max;            /* max_record */
  char *buf;             /* unframed bytes are buf[start, end); */
  size_t cap, start, end, scan;   /* no separator in buf[start, scan) */
  lua_Integer recno;     /* records framed so far: the current line number */
  lua_Integer rejected;  /* records reported and skipped */
  const char *name;      /* "<stdin>" or the file name (UV_NAME holds it) */
  lua_Integer head, tail, dead, stopping;   /* where the target's core keeps them */
} lx_input;

static const char input_key = 'i';   /* registry: the input userdata */

void lx_input_guard_stdin(void) {
  if (fcntl(0, F_GETFL) == -1 && errno == EBADF) {
    int fd = open("/dev/null", O_RDONLY);   /* the lowest free fd: 0 */
    if (fd > 0) close(fd);
  }
}

/* {===================================================================
** Watchers and the end of the input
** ==================================================================== */

static void set_reading(lx_input *in, int on) {
  struct ev_loop *ev = lx_loop_ev(in->lp);
  if (on == in->reading) return;
  in->reading = on;
  if (on) ev_io_start(ev, &in->io);
  else ev_io_stop(ev, &in->io);
}

/* Stops reading for good and lets go of the buffer.  The target stays
** in its user value for the caller, who clears it (clear_target). */
static void finish(lx_input *in) {
  struct ev_loop *ev = lx_loop_ev(in->lp);
  if (in->state != ATTACHED) return;
  in->state = DONE;
  set_reading(in, 0);
  ev_ref(ev);                      /* as it was before ev_unref */
  ev_check_stop(ev, &in->watch);
  free(in->buf);
  in->buf = NULL;
  in->cap = in->start = in->end = in->scan = 0;
}

static void clear_target(lua_State *L, int idx) {
  idx = lua_absindex(L, idx);
  lua_pushnil(L);
  lua_setiuservalue(L, idx, UV_TARGET);
}

/* Writes the held report, if any.  `idx`: the input. */
static void release(lua_State *L, lx_input *in, int idx) {
  size_t len;
  const char *msg;
  if (!in->held) return;
  in->held = 0;
  idx = lua_absindex(L, idx);
  lua_getiuservalue(L, idx, UV_HELD);
  msg = lua_tolstring(L, -1, &len);
  lx_report(msg, len);
  lua_pop(L, 1);
  lua_pushnil(L);
  lua_setiuservalue(L, idx, UV_HELD);
}

static int gc(lua_State *L) {
  lx_input *in = (lx_input *)lua_touserdata(L, 1);
  release(L, in, 1);
  finish(in);
  if (in->own_fd) {
    close(in->fd);
    in->own_fd = 0;
  }
  return 0;
}

/* }=================================================================== */

/* {===================================================================
** Reading and framing
** ==================================================================== */

/* "NAME:N: reason": a rejected record.  Skipped, and exit status 1 now;
** its report is held (see the top).  Stack: 1 the input. */
static void reject(lua_State *L, lx_input *in, const char *reason,
                   const char *detail) {
  lua_pushfstring(L, "%s:%I: %s%s", in->name, (LUAI_UACINT)in->recno,
                  reason, detail);
  lua_setiuservalue(L, 1, UV_HELD);
  in->held = 1;
  in->rejected++;
  lx_loop_fail(in->lp);
}

/* How much of `want` bytes to ask of read() on fd 0, which stays as it
** came, most often blocking: O_NONBLOCK belongs to the open file
** description, which a terminal (or a socket from inetd) shares with
** stdout and stderr, whose writes then failed with EAGAIN, output lost,
** and with every other process using it.  The watcher said fd 0 is
** readable; read() returns at once when asked for no more than FIONREAD
** says is there.  0 there is the end of the input, which read() returns
** at once too.  Where FIONREAD does not work, the device never blocks
** (/dev/zero) or only a race with another reader of the same pipe would
** have it block. */
static size_t readable(int fd, size_t want) {
  int n;
  if (ioctl(fd, FIONREAD, &n) == 0 && n > 0 && (size_t)n < want)
    return (size_t)n;
  return want;
}

/* One read() into the buffer.  A read error is reported and ends the
** input as the end of the file would. */
static void fill(lua_State *L, lx_input *in) {
  size_t want;
  ssize_t n;
  if (in->start == in->end) in->start = in->end = in->scan = 0;
  else if (in->start > 0 && in->cap - in->end < READ_SIZE) {
    memmove(in->buf, in->buf + in->start, in->end - in->start);
    in->end -= in->start;
    in->scan -= in->start;
    in->start = 0;
  }
  if (in->cap - in->end < READ_SIZE) {
    size_t cap = in->cap ? in->cap : READ_SIZE;
    char *buf;
    while (cap - in->end < READ_SIZE) cap *= 2;
    buf = (char *)realloc(in->buf, cap);
    if (buf == NULL) luaL_error(L, "not enough memory");
    in->buf = buf;
    in->cap = cap;
  }
  want = in->cap - in->end;
  /* A raw record is what one read gives, so it is never too long. */
  if (in->format == RAW && want > in->max) want = in->max;
  if (!in->own_fd) want = readable(in->fd, want);
  n = read(in->fd, in->buf + in->end, want);
  if (n > 0) in->end += (size_t)n;
  else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
                     errno == EINTR))
    return;
  else {
    if (n < 0) {
      lua_pushfstring(L, "cannot read %s: %s", in->name, strerror(errno));
      lx_report(lua_tostring(L, -1), lua_rawlen(L, -1));
      lua_pop(L, 1);
      lx_loop_fail(in->lp);
    }
    in->eof = 1;
    set_reading(in, 0);
  }
}

/* Frames the next record: returns 1 with it in *rec, *len (pointing into
** the buffer); -1 for one longer than max_record, which is dropped (the
** caller reports it); 0 when the buffer holds no whole record.  At the
** end of the input the last record needs no separator (and a \r it ends
** with is its own: only a \r\n ending loses the \r). */
static int next_record(lx_input *in, const char **rec, size_t *len) {
  char sep = in->format == NUL ? '\0' : '\n';
  for (;;) {
    char *s = in->buf + in->start, *q = NULL;
    size_t n;
    if (in->scan < in->end)
      q = (char *)memchr(in->buf + in->scan, sep, in->end - in->scan);
    if (in->format == RAW) {
      if (in->start == in->end) return 0;
      n = in->end - in->start;
      in->start = in->scan = in->end;
    }
    else if (q != NULL) {
      n = (size_t)(q - s);
      in->start = in->scan = (size_t)(q - in->buf) + 1;
      if (in->skipping) {          /* the end of an over-long record */
        in->skipping = 0;
        continue;
      }
    }
    else {
      n = in->end - in->start;
      in->scan = in->end;
      if (in->skipping) {          /* drop what came of it so far */
        in->start = in->scan = in->end;
        if (in->eof) in->skipping = 0;
        return 0;
      }
      if (!in->eof) {
        /* One byte more than max_record may be the \r of a \r\n. */
        if (n <= in->max + (sep == '\n')) return 0;
        in->recno++;
        in->skipping = 1;
        in->start = in->scan = in->end;
        return -1;
      }
      if (n == 0) return 0;
      in->start = in->end;
    }
    in->recno++;
    if (sep == '\n' && q != NULL && in->format != RAW
        && n > 0 && s[n - 1] == '\r')
      n--;
    if (n > in->max) return -1;
    *rec = s;
    *len = n;
    return 1;
  }
}

/* JSON's white space only: a blank line holds no value and is skipped. */
static int blank(const char *s, size_t n) {
  size_t i;
  for (i = 0; i < n; i++)
    if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n') return 0;
  return 1;
}

/* Whole records read and never delivered: the report when the target
** dies. */
static lua_Integer count_left(lx_input *in) {
  char sep = in->format == NUL ? '\0' : '\n';
  const char *p = in->buf + in->start, *e = in->buf + in->end;
  int skipping = in->skipping;
  lua_Integer n = 0;
  if (in->format == RAW) return in->end > in->start;
  while (p < e) {
    const char *q = (const char *)memchr(p, sep, (size_t)(e - p));
    const char *stop = q ? q : e;
    if (q == NULL && !in->eof) break;     /* part of a record */
    if (skipping) skipping = 0;
    else if (!(in->format == JSON && blank(p, (size_t)(stop - p)))) n++;
    if (q == NULL) break;
    p = q + 1;
  }
  return n;
}

/* }=================================================================== */

/* {===================================================================
** Delivery
** ==================================================================== */

static int field_bool(lua_State *L, int t, lua_Integer k) {
  int v;
  lua_rawgeti(L, t, k);
  v = lua_toboolean(L, -1);
  lua_pop(L, 1);
  return v;
}

static lua_Integer field_int(lua_State *L, int t, lua_Integer k) {
  lua_Integer v;
  lua_rawgeti(L, t, k);
  v = lua_tointeger(L, -1);
  lua_pop(L, 1);
  return v;
}

/* Calls input.lua's ended(c, why, records not delivered, input name).
** Stack: 1 the input, 2 the target. */
static int ended(lua_State *L, lx_input *in, const char *why,
                 lua_Integer left) {
  release(L, in, 1);
  finish(in);
  clear_target(L, 1);
  lua_getiuservalue(L, 1, UV_ENDED);
  lua_pushvalue(L, 2);
  lua_pushstring(L, why);
  lua_pushinteger(L, left);
  lua_getiuservalue(L, 1, UV_NAME);
  lua_call(L, 4, 0);
  return 0;
}

/* Calls input.lua's behind(c, mark): has the target still to handle
** messages queued before the held report?  `mark`: the report was just
** held, and what is queued now is what it waits for.  Stack: 1 the
** input, 2 the target. */
static int behind(lua_State *L, int mark) {
  int yes;
  lua_getiuservalue(L, 1, UV_BEHIND);
  lua_pushvalue(L, 2);
  lua_pushboolean(L, mark);
  lua_call(L, 2, 1);
  yes = lua_toboolean(L, -1);
  lua_pop(L, 1);
  return yes;
}

/* Frames records into the mailbox from slot `t` on, until `room` are
** there, the buffer holds no whole record, or one is rejected (then
** in->held).  Returns how many it queued.  Stack: 1 the input, 2 the
** target. */
static lua_Integer deliver(lua_State *L, lx_input *in, lua_Integer t,
                           lua_Integer room) {
  lua_Integer n = 0;
  const char *rec;
  size_t len;
  int r;
  lua_settop(L, 2);
  lua_pushvalue(L, 2);                      /* 3: the mailbox, c's array part */
  lua_getiuservalue(L, 1, UV_DECODE);                  /* 4: decode */
  if (in->format == LINES && !in->skipping) {
    /* The common case, in a loop of its own with the buffer's state in
    ** locals (the Lua calls would make the compiler reload it): whole
    ** lines that are not too long.  Anything else is left to the general
    ** loop below. */
    char *buf = in->buf;
    size_t start = in->start, scan = in->scan, end = in->end, max = in->max;
    lua_Integer left = room;
    while (left > 0 && scan < end) {
      char *s = buf + start;
      char *q = (char *)memchr(buf + scan, '\n', end - scan);
      if (q == NULL) {
        scan = end;
        break;
      }
      len = (size_t)(q - s);
      if (len > 0 && q[-1] == '\r') len--;
      if (len > max) break;
      start = scan = (size_t)(q - buf) + 1;
      lua_pushlstring(L, s, len);
      lua_rawseti(L, 3, t++);
      left--;
    }
    in->start = start;
    in->scan = scan;
    in->recno += room - left;
    n = room - left;
    room = left;
  }
  while (room > 0) {
    if ((r = next_record(in, &rec, &len)) == 0) break;
    if (r < 0) {
      lua_pushfstring(L, "record longer than %I bytes", (LUAI_UACINT)in->max);
      reject(L, in, lua_tostring(L, -1), "");
      break;
    }
    if (in->format == JSON) {
      const char *nul;
      if (blank(rec, len)) continue;
      /* lua-cjson stops at a NUL as at the end: the rest would be lost
      ** without a word.  No JSON text holds one. */
      if ((nul = (const char *)memchr(rec, '\0', len)) != NULL) {
        lua_pushfstring(L, "NUL byte at character %d", (int)(nul - rec) + 1);
        reject(L, in, "invalid JSON: ", lua_tostring(L, -1));
        break;
      }
      lua_pushvalue(L, 4);
      lua_pushlstring(L, rec, len);
      if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        reject(L, in, "invalid JSON: ", msg ? msg : "?");
        break;
      }
    }
    else lua_pushlstring(L, rec, len);
    lua_rawseti(L, 3, t++);
    n++;
    room--;
  }
  if (n > 0) {
    lua_pushinteger(L, t);
    lua_rawseti(L, 2, in->tail);
    lua_getiuservalue(L, 1, UV_DELIVERED);
    lua_pushvalue(L, 2);
    lua_pushinteger(L, n);
    lua_call(L, 2, 0);
  }
  return n;
}

/* pump(input, readable): reads once if `readable`, then delivers what
** the buffer holds and the mailbox has room for, and decides between
** reading on, pausing, holding a report and the end.  Runs protected
** (run()). */
static int pump(lua_State *L) {
  lx_input *in = (lx_input *)lua_touserdata(L, 1);
  lua_Integer tail, room;
  if (in->state != ATTACHED) return 0;
  if (lua_toboolean(L, 2)) fill(L, in);
  lua_settop(L, 1);
  lua_getiuservalue(L, 1, UV_TARGET);                  /* 2: c */
  if (field_bool(L, 2, in->dead) || field_bool(L, 2, in->stopping)) {
    lua_Integer left = count_left(in);
    if (left == 0) {
      /* Every record read was delivered.  Input not read yet is not
      ** lactor's to count (the writer may not even have closed its end
      ** yet): as with head(1), nothing is reported. */
      release(L, in, 1);
      finish(in);
      clear_target(L, 1);
      return 0;
    }
    return ended(L, in, "gone", left);
  }
  if (in->held) {
    if (behind(L, 0)) return 0;
    release(L, in, 1);
  }
  for (;;) {
    tail = field_int(L, 2, in->tail);
    room = HIGH - (tail - field_int(L, 2, in->head));
    if (in->paused && room <= HIGH - LOW) return 0;
    in->paused = 0;
    room -= deliver(L, in, tail, room);
    if (!in->held) break;
    if (behind(L, 1)) {    /* on_check looks again after each turn */
      set_reading(in, 0);
      return 0;
    }
    release(L, in, 1);
  }
  if (room <= 0) {         /* full, or overfull by the script's own tells */
    in->paused = 1;
    set_reading(in, 0);
  }
  else if (in->eof) return ended(L, in, "eof", 0);
  else set_reading(in, 1);
  return 0;
}

static int msgh(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  luaL_traceback(L, L, msg ? msg : "(error object is not a string)", 1);
  return 1;
}

/* The one entry from the input's watchers into Lua. */
static void run(lx_input *in, int readable) {
  lua_State *L = lx_loop_L(in->lp);
  int base = lua_gettop(L);
  lua_pushcfunction(L, msgh);
  lua_pushcfunction(L, pump);
  lua_rawgetp(L, LUA_REGISTRYINDEX, &input_key);
  lua_pushboolean(L, readable);
  if (lua_pcall(L, 2, 0, base + 1) != LUA_OK) {
    lua_rawgetp(L, LUA_REGISTRYINDEX, &input_key);
    release(L, in, -1);
    lua_pushfstring(L, "%s: %s", in->name, lua_tostring(L, -2));
    lx_report(lua_tostring(L, -1), lua_rawlen(L, -1));
    lua_pop(L, 1);
    lx_loop_fail(in->lp);
    finish(in);
    clear_target(L, -1);
  }
  lua_settop(L, base);
}

static void on_readable(struct ev_loop *ev, ev_io *w, int revents) {
  (void)ev; (void)revents;
  run((lx_input *)w->data, 1);
}

/* At the end of each turn of the loop: resume a paused input, see a dead
** target. */
static void on_check(struct ev_loop *ev, ev_check *w, int revents) {
  (void)ev; (void)revents;
  run((lx_input *)w->data, 0);
}

/* }=================================================================== */

/* {===================================================================
** The input object and its bindings
** ==================================================================== */

#define LOOP(L) ((lx_loop *)lua_touserdata(L, lua_upvalueindex(1)))

/* Pushes the runtime's input, made on first use. */
static lx_input *push_input(lua_State *L, lx_loop *lp) {
  lx_input *in;
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &input_key) != LUA_TNIL)
    return (lx_input *)lua_touserdata(L, -1);
  lua_pop(L, 1);
  in = (lx_input *)lua_newuserdatauv(L, sizeof *in, NUV);
  memset(in, 0, sizeof *in);
  in->lp = lp;
  in->max = DEFAULT_MAX;
  ev_io_init(&in->io, on_readable, 0, EV_READ);
  in->io.data = in;
  ev_check_init(&in->watch, on_check);
  ev_set_priority(&in->watch, EV_MINPRI);
  in->watch.data = in;
  if (luaL_newmetatable(L, LX_INPUT_META)) {
    lua_pushcfunction(L, gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  lua_pushliteral(L, "<stdin>");
  in->name = lua_tostring(L, -1);
  lua_setiuservalue(L, -2, UV_NAME);
  lua_pushvalue(L, -1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &input_key);
  return in;
}

int lx_input_defaults(lua_State *L, lx_loop *lp, const char *file,
                      const char *format, const char *stdin_taken) {
  lx_input *in = push_input(L, lp);
  int i;
  in->stdin_taken = file == NULL ? stdin_taken : NULL;
  for (i = 0; format && formats[i]; i++)
    if (strcmp(format, formats[i]) == 0) in->default_format = i;
  if (file) {
    struct stat st;
    /* Non-blocking from the open on, as the description is lactor's own
    ** (see readable()): a FIFO's open would otherwise wait for a writer,
    ** deaf to Ctrl-C, whose handler restarts it, while the watcher waits
    ** for one as for any data. */
    int fd = open(file, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
      close(fd);
      fd = -1;
      errno = EISDIR;
    }
    if (fd < 0) {
      lua_pop(L, 1);
      return -1;
    }
    in->fd = fd;
    in->own_fd = 1;
    lua_pushstring(L, file);
    in->name = lua_tostring(L, -1);
    lua_setiuservalue(L, -2, UV_NAME);
  }
  lua_pop(L, 1);
  return 0;
}

/* core.input_defaults() → the format of -j/-0/--raw, or "lines"; and
** why the input may not be attached, or nil: it is stdin, and the REPL
** reads stdin too (both would take keys, and one block in read()), or
** stdin was the script (it is at its end). */
int lx_input_ldefaults(lua_State *L) {
  lx_input *in = push_input(L, LOOP(L));
  lua_pushstring(L, formats[in->default_format]);
  if (in->stdin_taken) lua_pushstring(L, in->stdin_taken);
  else lua_pushnil(L);
  return 2;
}

/* core.input_rejected() → records rejected so far, for lactor.stats */
int lx_input_lrejected(lua_State *L) {
  lx_input *in = push_input(L, LOOP(L));
  lua_pushinteger(L, in->rejected);
  return 1;
}

/* core.input_attach(c, format, max_record, delivered, ended, behind,
** decode or nil, HEAD, TAIL, DEAD, STOPPING): starts reading for the actor whose
** core table is c, whose fields are at those keys (actor.lua).  input.lua
** checks the arguments and reports misuse at its caller. */
int lx_input_lattach(lua_State *L) {
  lx_loop *lp = LOOP(L);
  lx_input *in;
  int format, i;
  lua_Integer max, keys[4];
  luaL_checktype(L, 1, LUA_TTABLE);
  format = luaL_checkoption(L, 2, NULL, formats);
  max = luaL_checkinteger(L, 3);
  luaL_checktype(L, 4, LUA_TFUNCTION);
  luaL_checktype(L, 5, LUA_TFUNCTION);
  luaL_checktype(L, 6, LUA_TFUNCTION);
  luaL_argcheck(L, max > 0, 3, "max_record must be positive");
  for (i = 0; i < 4; i++) keys[i] = luaL_checkinteger(L, 8 + i);
  lua_settop(L, 7);
  in = push_input(L, lp);                                   /* 8 */
  if (in->state != UNUSED) return luaL_error(L, "input is already attached");
  lua_pushvalue(L, 1);
  lua_setiuservalue(L, 8, UV_TARGET);
  lua_pushvalue(L, 4);
  lua_setiuservalue(L, 8, UV_DELIVERED);
  lua_pushvalue(L, 5);
  lua_setiuservalue(L, 8, UV_ENDED);
  lua_pushvalue(L, 6);
  lua_setiuservalue(L, 8, UV_BEHIND);
  lua_pushvalue(L, 7);
  lua_setiuservalue(L, 8, UV_DECODE);
  in->format = format;
  in->max = (size_t)max;
  in->head = keys[0];
  in->tail = keys[1];
  in->dead = keys[2];
  in->stopping = keys[3];
  in->state = ATTACHED;
  ev_io_set(&in->io, in->fd, EV_READ);
  set_reading(in, 1);
  ev_check_start(lx_loop_ev(lp), &in->watch);
  ev_unref(lx_loop_ev(lp));
  return 0;
}

/* core.input_close(): stops reading at once, quietly (lactor.exit, a
** signal). */
int lx_input_lclose(lua_State *L) {
  lx_input *in = push_input(L, LOOP(L));
  release(L, in, -1);
  finish(in);
  clear_target(L, -1);
  return 0;
}

/* The -t step is input.lua's to(name), taken from package.loaded so that
** a script's own require cannot get in the way.  A Lua function, so that
** it can end the run with lactor.exit (a C function in between could not
** yield). */
void lx_input_push_to(lua_State *L) {
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
  lua_getfield(L, -1, "lactor.input");
  lua_getfield(L, -1, "to");
  lua_replace(L, -3);
  lua_pop(L, 1);
}

/* }=================================================================== */
