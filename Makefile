# x4-sriov: iGPU SR-IOV passthrough + Looking Glass on a stock libvirt host.
# `make` builds build/bin/{x4-hook,qemu-x4,x4ctl}; `make check` installs deps and runs every test.

PREFIX     ?= /usr/local
SYSCONFDIR ?= /etc
DESTDIR    ?=
BINDIR     ?= $(PREFIX)/bin
SBINDIR    ?= $(PREFIX)/sbin
LIBEXECDIR ?= $(PREFIX)/libexec/x4-sriov
MANDIR     ?= $(PREFIX)/share/man
DATADIR    ?= $(PREFIX)/share/x4-sriov
# Set by a package build (debian/rules): install the VF unit there; empty: x4ctl install copies it.
SYSTEMDUNITDIR ?=

CC      ?= cc
BUILD   ?= build
# SAN=1: ASan + UBSan build (use with BUILD=build/asan); COV=1: gcov build.
SAN     ?=
COV     ?=

PKGS     := libxml-2.0 json-c inih libpci
WARN     := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral
CFLAGS   ?= -O2 -g
XCFLAGS  := -std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 $(WARN) -Ilib \
            $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
XLDFLAGS := -Wl,--as-needed
LIBS     := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

ifeq ($(SAN),1)
XCFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
XLDFLAGS += -fsanitize=address,undefined
endif
ifeq ($(COV),1)
XCFLAGS  += --coverage -O0
XLDFLAGS += --coverage
endif

LIB_SRCS  := $(wildcard lib/*.c)
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
LIBX4     := $(BUILD)/libx4.a

WRAP_SRCS := $(wildcard qemu-wrapper/*.c)
CLI_SRCS  := $(wildcard cli/*.c)
SIM_SRCS  := $(wildcard tests/sim/*.c)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

PROGS := $(BUILD)/bin/x4-hook $(BUILD)/bin/x4-hook-core $(BUILD)/bin/qemu-x4 $(BUILD)/bin/x4ctl
SIM   := $(BUILD)/bin/x4sim

# The programs alone (a package build needs neither cmocka nor FUSE).
.PHONY: all progs deb deps check test unit asan valgrind coverage demo install uninstall clean lint fuzz bench
all: $(PROGS) $(if $(SIM_SRCS),$(SIM)) $(UNIT_BINS)
progs: $(PROGS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(XCFLAGS) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(LIBX4): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# The hook's front links no libxml2 (its ICU alone costs ~1 ms an exec): it decides "not ours"
# for most VMs and execs x4-hook-core, installed beside it in LIBEXECDIR, for the rest.
$(BUILD)/obj/hooks/x4-hook.o: XCFLAGS += -DX4_LIBEXECDIR='"$(LIBEXECDIR)"'
$(BUILD)/bin/x4-hook: $(BUILD)/obj/hooks/x4-hook.o $(LIBX4)
	@mkdir -p $(dir $@)
	$(CC) $(XLDFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/bin/x4-hook-core: $(BUILD)/obj/hooks/x4-hook-core.o $(LIBX4)
	@mkdir -p $(dir $@)
	$(CC) $(XLDFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

# The wrapper sits on every VM start: it links only json-c and inih, statically, so an exec
# loads no shared library but libc (bench/wrapper).
$(BUILD)/bin/qemu-x4: $(WRAP_SRCS:%.c=$(BUILD)/obj/%.o) $(LIBX4)
	@mkdir -p $(dir $@)
	$(CC) $(XLDFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $^ -Wl,-Bstatic -ljson-c -linih -Wl,-Bdynamic -lm

$(BUILD)/bin/x4ctl: $(CLI_SRCS:%.c=$(BUILD)/obj/%.o) $(LIBX4)
	@mkdir -p $(dir $@)
	$(CC) $(XLDFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS) $(shell pkg-config --libs libvirt 2>/dev/null)

$(BUILD)/obj/tests/sim/%.o: XCFLAGS += $(shell pkg-config --cflags fuse3 2>/dev/null)
$(SIM): $(SIM_SRCS:%.c=$(BUILD)/obj/%.o)
	@mkdir -p $(dir $@)
	$(CC) $(XLDFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs fuse3 2>/dev/null) -lpthread

$(BUILD)/obj/tests/unit/%.o: XCFLAGS += $(shell pkg-config --cflags cmocka 2>/dev/null)
$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(LIBX4)
	@mkdir -p $(dir $@)
	$(CC) $(XLDFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS) $(shell pkg-config --libs cmocka 2>/dev/null)

deps:
	@./scripts/deps.sh

# The one test command (README, .ci/run): deps, build, every suite, sanitizers, valgrind.
check: deps
	$(MAKE) all
	./tests/run-all.sh

test unit: all
	./tests/run-unit.sh $(BUILD)

asan:
	$(MAKE) BUILD=build/asan SAN=1 all
	./tests/run-unit.sh build/asan

valgrind: all
	VALGRIND=1 ./tests/run-unit.sh $(BUILD)

coverage:
	rm -rf build/cov
	$(MAKE) BUILD=build/cov COV=1 all
	./tests/run-unit.sh build/cov
	gcovr --root . --object-directory build/cov/obj --filter 'lib/' --print-summary --fail-under-line 85

demo: deps
	$(MAKE) all
	./tests/demo.sh

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --inline-suppr -Ilib lib hooks qemu-wrapper cli
	clang-tidy --quiet --warnings-as-errors='*' $(LIB_SRCS) $(wildcard hooks/*.c) $(WRAP_SRCS) $(CLI_SRCS) -- $(XCFLAGS)

install: $(PROGS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(SYSCONFDIR)/x4-sriov
	install -m 0755 $(BUILD)/bin/qemu-x4 $(DESTDIR)$(BINDIR)/qemu-x4
	install -m 0755 $(BUILD)/bin/x4ctl $(DESTDIR)$(SBINDIR)/x4ctl
	install -m 0755 $(BUILD)/bin/x4-hook $(DESTDIR)$(LIBEXECDIR)/x4-hook
	install -m 0755 $(BUILD)/bin/x4-hook-core $(DESTDIR)$(LIBEXECDIR)/x4-hook-core
	test -e $(DESTDIR)$(SYSCONFDIR)/x4-sriov/x4-sriov.conf || \
		install -m 0644 templates/x4-sriov.conf $(DESTDIR)$(SYSCONFDIR)/x4-sriov/x4-sriov.conf
	for m in man/*.[0-9]; do [ -e "$$m" ] || continue; s=$${m##*.}; \
		install -d $(DESTDIR)$(MANDIR)/man$$s && install -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done
	install -d $(DESTDIR)$(DATADIR)/templates $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 0644 templates/* $(DESTDIR)$(DATADIR)/templates/
	install -m 0644 completions/x4ctl.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/x4ctl
	if [ -n "$(SYSTEMDUNITDIR)" ]; then install -d $(DESTDIR)$(SYSTEMDUNITDIR) && \
		sed 's|@X4CTL@|$(SBINDIR)/x4ctl|' templates/x4-sriov-vfs.service \
		>$(DESTDIR)$(SYSTEMDUNITDIR)/x4-sriov-vfs.service; fi

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/qemu-x4 $(DESTDIR)$(SBINDIR)/x4ctl $(DESTDIR)$(LIBEXECDIR)/x4-hook $(DESTDIR)$(LIBEXECDIR)/x4-hook-core
	rm -rf $(DESTDIR)$(DATADIR)/templates
	rm -f $(DESTDIR)$(PREFIX)/share/bash-completion/completions/x4ctl
	for m in man/*.[0-9]; do [ -e "$$m" ] || continue; s=$${m##*.}; \
		rm -f $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; done

# The Debian package, built from this tree as a user would: build deps, then dpkg-buildpackage;
# the .deb, .changes and .buildinfo are moved from the parent directory into build/deb/.
deb:
	./scripts/deps.sh
	dpkg-buildpackage -us -uc -b
	mkdir -p build/deb
	v=$$(dpkg-parsechangelog -S Version); mv ../x4-sriov_$${v}_amd64.deb ../x4-sriov-dbgsym_$${v}_amd64.deb \
		../x4-sriov_$${v}_amd64.changes ../x4-sriov_$${v}_amd64.buildinfo build/deb/ 2>/dev/null; \
		ls build/deb/x4-sriov_$${v}_amd64.deb

fuzz:
	./tests/fuzz/run.sh

bench: all
	./bench/hook.sh
	./bench/wrapper.sh

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
