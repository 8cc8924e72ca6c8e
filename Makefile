# lactor — an actor runtime for Lua 5.4 on libev.
#
#   make            build src/lactor
#   make test       install missing packages, build, run the bats suite
#   make check      the suite against an ASan+UBSan build in .check/
#   make bench      benchmarks (figures, never pass/fail)
#   make demo       install, build, run an example pipeline

PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
READLINE ?= 1
# Precompile the embedded Lua (faster start-up); `make LUAC=` embeds source.
LUAC     ?= $(shell command -v luac5.4 2>/dev/null)

CC       ?= cc
PKGS      = lua5.4 lua5.4-cjson
CFLAGS   ?= -O2 -g
WARN      = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wno-unused-parameter
ifeq ($(WERROR),1)
WARN     += -Werror
endif
# Kept out of CFLAGS and LDFLAGS, so that setting those on the command line
# (as `make check` does) cannot drop the instrumentation.
ifneq ($(SANITIZE),)
SAN_FLAGS = -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
endif
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) $(CFLAGS) $(SAN_FLAGS) \
             $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS  = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# Lua, lua-cjson and libev come from their static archives where those
# are installed (Debian's -dev packages ship them): three shared objects
# fewer to map and relocate is a sixth of `lactor -e ''` (issue 6).
# -Wl,-E exports the Lua API, as lua5.4 does, for the C modules a script
# requires.  `make STATIC=0` links them as shared libraries.
ifeq ($(origin STATIC),undefined)
STATIC   := $(if $(wildcard $(shell $(CC) -print-file-name=liblua5.4.a)),1,0)
endif
ifeq ($(STATIC),1)
LIBS      = -Wl,-E -Wl,-Bstatic $(filter -l%,$(PKG_LIBS)) -lev -Wl,-Bdynamic \
            $(filter-out -l%,$(PKG_LIBS)) -lm
else
LIBS      = $(PKG_LIBS) -lev -lm
endif
# The REPL edits lines with GNU readline (GPL: see the README);
# `make READLINE=0` builds it with plain line input instead.
ifeq ($(READLINE),1)
ALL_CFLAGS += -DLX_READLINE
LIBS      += -lreadline
endif

OUT      ?= src
SRCS      = $(filter-out src/embed.c,$(wildcard src/*.c)) src/embed.c
OBJS      = $(patsubst src/%.c,$(OUT)/%.o,$(SRCS))
LUASRC    = $(sort $(wildcard lua/lactor/*.lua))
BATS      = $(sort $(wildcard tests/*.bats))

DEBS      = build-essential pkg-config liblua5.4-dev lua5.4 libev-dev \
            lua-cjson-dev lua-cjson libreadline-dev bats bats-assert \
            bats-support tmux valgrind time
SUDO      = $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps demo test check valgrind bench install uninstall clean

all: $(OUT)/lactor

$(OUT)/lactor: $(OBJS)
	$(CC) $(CFLAGS) $(SAN_FLAGS) $(LDFLAGS) -o $@ $(OBJS) $(LIBS)

$(OUT)/%.o: src/%.c $(wildcard src/*.h) | $(OUT)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(OUT):
	mkdir -p $@

# The Lua side is compiled into the binary as source text, one byte array
# per file, so the binary needs nothing installed beside it.
src/embed.c: $(LUASRC) src/embed.sh
	LUAC="$(LUAC)" sh src/embed.sh $(LUASRC) > $@.tmp && mv $@.tmp $@

# Install only what is missing, so a machine that has everything needs
# neither root nor the network.
deps:
	@missing=$$(for p in $(DEBS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

demo: deps all
	printf 'The cat sat on the mat.\nThe dog sat too.\nThe end\n' | \
		$(OUT)/lactor lua/examples/demo.lua

test: deps all
	bats $(BATS)

check: deps
	$(MAKE) OUT=.check SANITIZE=address,undefined CFLAGS="-O1 -g" .check/lactor
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		LACTOR=$(CURDIR)/.check/lactor bats $(BATS)

# The suite with every lactor run under valgrind: a memory error or a
# definite leak makes lactor exit 99, which fails the test.  Only definite
# leaks are shown: a process that ends at once (a closed stdout pipe, a
# second ^C) leaves memory reachable, which is no bug.  Valgrind runs code
# some 50 times slower, so the time slice is 50 times longer: actors that
# take well under 10 ms natively are then not preempted either, and the
# tests see the orderings they see natively.
VG_SLICE = 500
valgrind: deps all
	mkdir -p .check
	printf '#!/bin/sh\nexec valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite %s --slice $(VG_SLICE) "$$@"\n' \
		"$(CURDIR)/$(OUT)/lactor" > .check/lactor-valgrind
	chmod +x .check/lactor-valgrind
	LACTOR=$(CURDIR)/.check/lactor-valgrind LACTOR_BINARY=$(CURDIR)/$(OUT)/lactor bats $(BATS)

bench: deps all
	sh tests/bench/run.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3
	install -m 755 $(OUT)/lactor $(DESTDIR)$(BINDIR)/lactor
	install -m 644 man/lactor.1 $(DESTDIR)$(MANDIR)/man1/lactor.1
	install -m 644 man/lactor.3 $(DESTDIR)$(MANDIR)/man3/lactor.3

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/lactor $(DESTDIR)$(MANDIR)/man1/lactor.1 \
	      $(DESTDIR)$(MANDIR)/man3/lactor.3

clean:
	rm -rf src/*.o src/lactor src/embed.c .check
