# budgetgen — build, test, install.
#   make            build ./budgetgen (installs missing Debian packages first)
#   make run        build and run the main job on input/ into out/
#   make check      every test, also under AddressSanitizer + UndefinedBehaviorSanitizer
#   make bench      the benchmark (not part of check)
#   make fuzz       each libFuzzer harness of tests/fuzz for FUZZ_SECONDS (60) seconds
#   make check-valgrind   a build of input/ under valgrind memcheck
#   make check-oom  the allocation-failure test for every N (make check tries OOM_RUNS of them)
#   make install PREFIX=/usr/local DESTDIR=
#   make HARU_FAST=0   build/noharu/budgetgen: without gen/emit/libharu/haru_fast.c and flate.c (libharu's
#                   own helpers and zlib); its objects and tests live in build/noharu/, apart from the
#                   normal build's. make check compares the two builds' PDFs (tests/pdf/haru_fast.sh).

PREFIX ?= /usr/local
DESTDIR ?=
CC ?= cc
PKGS := freetype2 harfbuzz harfbuzz-subset xlsxwriter libzip mxml zlib libdeflate nettle

WARN := -Wall -Wextra -Wswitch-enum -Wshadow -Wpointer-arith -Wstrict-prototypes \
        -Wmissing-prototypes -Wformat=2 -Wundef -Wvla -Werror
CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=gnu11 $(WARN) -Igen $(DATADIR_DEF) $(CFLAGS) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lhpdf -lm

# The stages, one folder each, in pipeline order (see README.md and gen/README.md): every .c file
# of a stage folder is part of the program; gen/main.c holds main() and is linked only into it.
STAGES := base front text doc emit emit/libharu batch import
ALL_SRCS := $(patsubst gen/%.c,%,$(foreach d,$(STAGES),$(sort $(wildcard gen/$(d)/*.c))) gen/dump.c)
UNIT_TESTS := test_decimal test_lex test_resolve test_linebreak test_font test_emit_xlsx test_emit_docx test_manifest test_flate test_haru_fast test_paginate test_pool test_dochash test_compose

# libharu's helpers and zlib's deflate replaced in the executable (README "Speed"); HARU_FAST=0
# leaves them out, with the unit tests of them, and builds everything under build/noharu/ so that
# nothing of one variant is linked into the other.
HARU_FAST ?= 1
HARU_FAST_SRCS := emit/libharu/haru_fast emit/libharu/flate
ifeq ($(HARU_FAST),0)
B := build/noharu
PROGRAM := build/noharu/budgetgen
SRCS := $(filter-out $(HARU_FAST_SRCS),$(ALL_SRCS))
UNIT_TESTS := $(filter-out test_flate test_haru_fast,$(UNIT_TESTS))
else
B := build
PROGRAM := budgetgen
SRCS := $(ALL_SRCS)
endif
OBJS  := $(SRCS:%=$(B)/%.o)
ASAN_OBJS := $(SRCS:%=$(B)/asan/%.o)
SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer


.PHONY: FORCE all run check check-unit check-diag check-samples check-asan check-office bench install deps \
        clean update-golden fuzz check-valgrind check-oom

all: $(PROGRAM)

# Installs missing Debian packages once; redone when the package list changes.
build/.deps: .ci/install-deps
	@mkdir -p build
	@./.ci/install-deps
	@touch $@

deps: build/.deps

# The data directory PREFIX/share/budgetgen is compiled into gen/front/load.c alone (the one lookup
# of layouts/ and fonts/, sources_data_path): its objects, and only they, get it and are rebuilt
# when PREFIX changes (so `make install PREFIX=/usr` installs a binary that finds its data).
DATADIR_OBJS := $(B)/front/load.o $(B)/asan/front/load.o build/fuzz/front/load.o
$(DATADIR_OBJS): DATADIR_DEF = -DBUDGETGEN_DATADIR='"$(PREFIX)/share/budgetgen"'
$(DATADIR_OBJS): build/.prefix
build/.prefix: FORCE
	@mkdir -p build
	@echo '$(PREFIX)' | cmp -s - $@ || echo '$(PREFIX)' > $@
FORCE:

$(B)/%.o: gen/%.c build/.deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(B)/asan/%.o: gen/%.c build/.deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O1 $(SAN) -MMD -MP -c $< -o $@

$(PROGRAM): $(OBJS) $(B)/main.o
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LIBS)

$(B)/asan/budgetgen: $(ASAN_OBJS) $(B)/asan/main.o
	$(CC) $(ALL_CFLAGS) $(SAN) -o $@ $^ $(LIBS)

# Every unit test links the shared fixtures (tests/unit/fixtures.c: the emitter tests' documents
# and package helpers) besides the stages.
UNIT_DEPS := tests/unit/unit.h tests/unit/fixtures.h tests/unit/fixtures.c

$(B)/unit/%: tests/unit/%.c $(OBJS) $(UNIT_DEPS)
	@mkdir -p $(B)/unit
	$(CC) $(ALL_CFLAGS) -o $@ $< tests/unit/fixtures.c $(OBJS) $(LIBS)

$(B)/asan/unit/%: tests/unit/%.c $(ASAN_OBJS) $(UNIT_DEPS)
	@mkdir -p $(B)/asan/unit
	$(CC) $(ALL_CFLAGS) -O1 $(SAN) -o $@ $< tests/unit/fixtures.c $(ASAN_OBJS) $(LIBS)

ifneq ($(HARU_FAST),0)
# The other variant, for make check's comparison: its own make decides what is out of date.
build/noharu/budgetgen: FORCE
	@$(MAKE) --no-print-directory HARU_FAST=0 build/noharu/budgetgen
endif

# libFuzzer harnesses (tests/fuzz/fuzz_*.c), built with clang: every stage but main.c, under
# ASan + UBSan (clang also warns about vsnprintf in util.c and diag.c, which take their format
# from a table or their caller). `make fuzz` keeps its corpora in build/fuzz/corpus/ between runs.
FUZZ_CC ?= clang
FUZZERS := source layout template catalog
FUZZ_SECONDS ?= 60
FUZZ_SAN := -O1 -g -Wno-format-nonliteral -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_OBJS := $(SRCS:%=$(B)/fuzz/%.o)
.SECONDARY: $(FUZZ_OBJS)

$(B)/fuzz/%.o: gen/%.c build/.deps
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(ALL_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJS)
	$(FUZZ_CC) $(ALL_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJS) $(LIBS)

fuzz: $(FUZZERS:%=build/fuzz/fuzz_%)
	@FUZZERS="$(FUZZERS)" sh tests/fuzz/run.sh fuzz $(FUZZ_SECONDS)

# The allocation-failure test (tests/oom/run.sh): an LD_PRELOAD shim that fails the Nth
# allocation. check-oom tries every N of a small build (~10 minutes on 2 cores); make check
# tries OOM_RUNS of them, evenly spread.
OOM_RUNS ?= 300
build/oom/failmalloc.so: tests/oom/failmalloc.c
	@mkdir -p build/oom
	$(CC) -std=gnu11 -O1 -g -fPIC -shared -Wall -Wextra -Werror -o $@ $< -ldl

check-oom: budgetgen build/oom/failmalloc.so
	@sh tests/oom/run.sh --jobs 2 ./budgetgen

# valgrind (memcheck) on a build of every sample: no error, no definite or indirect leak.
check-valgrind: budgetgen
	@sh tests/valgrind/run.sh ./budgetgen

run: budgetgen
	./budgetgen build input/ -o out/

check: budgetgen build/asan/budgetgen $(UNIT_TESTS:%=build/unit/%) $(UNIT_TESTS:%=build/asan/unit/%) \
       $(FUZZERS:%=build/fuzz/fuzz_%) build/oom/failmalloc.so build/noharu/budgetgen
	@BUDGETGEN=./budgetgen ASAN_BUDGETGEN=build/asan/budgetgen UNIT_TESTS="$(UNIT_TESTS)" \
		FUZZERS="$(FUZZERS)" OOM_RUNS=$(OOM_RUNS) NOHARU_BUDGETGEN=build/noharu/budgetgen \
		sh tests/run-all.sh

# Converts every booklet .docx with LibreOffice and checks its TOC page numbers against the pages
# it prints (optional: needs libreoffice-writer, which is not a dependency). PDFs in build/office/.
check-office: budgetgen
	@rm -rf build/office && ./budgetgen build -q -o build/office input/ >/dev/null 2>&1; \
	py=python3; $$py -c 'import docx' 2>/dev/null || py=/usr/bin/python3; \
	$$py tests/docx/office.py ./budgetgen build/office input/*.txt

bench: budgetgen
	sh tests/bench.sh ./budgetgen

# Rewrites the golden files of both golden runners (tests/golden.sh) from the current output.
update-golden: budgetgen
	sh tests/diag/run.sh --update ./budgetgen
	sh tests/hostile/run.sh --update ./budgetgen

install: budgetgen
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/budgetgen/layouts \
		$(DESTDIR)$(PREFIX)/share/budgetgen/fonts $(DESTDIR)$(PREFIX)/share/doc/budgetgen
	install -m 755 budgetgen $(DESTDIR)$(PREFIX)/bin/budgetgen
	install -m 644 docs/*.md README.md $(DESTDIR)$(PREFIX)/share/doc/budgetgen/
	if ls layouts/* >/dev/null 2>&1; then cp -R layouts/. $(DESTDIR)$(PREFIX)/share/budgetgen/layouts/; fi
	if ls fonts/* >/dev/null 2>&1; then cp -R fonts/. $(DESTDIR)$(PREFIX)/share/budgetgen/fonts/; fi

clean:
	rm -rf build budgetgen

-include $(OBJS:.o=.d) $(ASAN_OBJS:.o=.d) $(FUZZ_OBJS:.o=.d) $(B)/main.d $(B)/asan/main.d
