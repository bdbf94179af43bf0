# marketsim - one entry point for building, testing and installing.
#
#   make            library (build/lib), its libtorch plugin (build/lib/marketsim)
#                   and CLI (build/bin)
#   make test       install-check (install, build and run the examples), every CMocka
#                   suite under tests/ (check-suites), the Python pytest suite (check-python),
#                   the test Alpaca server's self-test (check-fake-alpaca)
#   make run        install missing Debian packages, build, analyze the synthetic market
#   make install    PREFIX=/usr/local DESTDIR= (library, headers, marketsim.pc, CLI,
#                   marketsim(1), Python package); make uninstall removes them
#   make bench      build and run the benchmark programs under bench/
#   make examples   the example programs under examples/ (build/examples), built
#                   against the installed library via pkg-config
#   make sanitize   the suites under ASan+UBSan; make tsan: the threaded ones
#                   under TSan; make leakcheck: valgrind on the CLI; make fuzz:
#                   the libFuzzer targets; make soak: the trade loop under
#                   faults (mk/*.mk, docs/reliability.md)
#
# C sources are C11 with warnings as errors. C++ sources (the libtorch model
# ports, lib/model/toto/*.cpp and lib/model/kronos/*.cpp) are compiled only when present, with
# TORCH_CFLAGS/TORCH_LIBS into the plugin libmarketsim-torch.so, which the
# shared library loads on first use, so that neither it nor the CLI links
# libtorch. Everything is built with -fvisibility=hidden: only declarations
# marked MS_API are exported from the shared library (lib/libmarketsim.map).

# Build with every core by default: the libtorch translation units take
# ~20 s each. A -j on the command line wins; sub-makes share the jobserver.
ifeq ($(MAKELEVEL),0)
MAKEFLAGS    += -j$(shell nproc)
endif

# The version's one home is the file VERSION: scripts/gen-version writes it
# into common.h, the Python package and the man page (`make test` checks).
VERSION      := $(shell cat VERSION)
SOVERSION    := 0
PREFIX       ?= /usr/local
DESTDIR      ?=
BUILD        ?= build

CC           ?= cc
CXX          ?= c++
OPT          ?= -O2 -g
WARN         := -Wall -Wextra -Werror
CPPFLAGS_ALL := -Iinclude -Ilib -DMS_BUILDING_LIBRARY -D_POSIX_C_SOURCE=200809L $(CPPFLAGS)
CFLAGS_ALL   := -std=c11 $(OPT) $(WARN) -fPIC -fvisibility=hidden -pthread -MMD -MP $(CFLAGS)
CXX_STD      ?= c++17
CXXFLAGS_ALL  = -std=$(CXX_STD) $(OPT) $(WARN) -fPIC -fvisibility=hidden -pthread -MMD -MP $(TORCH_CFLAGS) $(CXXFLAGS)
LIBS         := -lcurl -ljansson -lsqlite3 -lm -lpthread

# libtorch from Debian's libtorch-dev: headers in /usr/include, so no flags
# are needed there; override both for another libtorch (e.g. a CUDA one).
TORCH_CFLAGS ?=
TORCH_LIBS   ?= -ltorch -ltorch_cpu -lc10

# TORCH=DIR: another libtorch laid out as a PyTorch install's torch/ folder
# (include/, include/torch/csrc/api/include, lib/): `make TORCH=$$(python3 -c
# 'import torch; print(torch.__path__[0])')`. Its CUDA libraries, when present,
# are linked with --no-as-needed: nothing of ours calls them, but loading them
# is what registers the CUDA backend (at::hasCUDA()). Deprecations of a newer
# libtorch warn instead of failing the build. TORCH_CXX11_ABI must match the
# libtorch (1 for PyTorch wheels since 2.7 and for Debian); CXX_STD may be
# raised (c++20) for a libtorch that needs it.
TORCH_CXX11_ABI ?= 1
ifneq ($(TORCH),)
TORCH_CUDA_LIBS := $(if $(wildcard $(TORCH)/lib/libtorch_cuda.so),-ltorch_cuda -lc10_cuda)
TORCH_CFLAGS := -isystem $(TORCH)/include -isystem $(TORCH)/include/torch/csrc/api/include \
                -D_GLIBCXX_USE_CXX11_ABI=$(TORCH_CXX11_ABI) -Wno-error=deprecated-declarations
TORCH_LIBS   := -L$(TORCH)/lib -Wl,-rpath,$(TORCH)/lib -Wl,--no-as-needed -ltorch -ltorch_cpu \
                $(TORCH_CUDA_LIBS) -lc10 -Wl,--as-needed
endif

# lib/broker is split by concept (net/, alpaca/, sim/); lib/model/plugin
# is linked on its own below.
LIB_C_SRC    := $(sort $(wildcard lib/*/*.c lib/broker/*/*.c))
LIB_CXX_SRC  := $(sort $(wildcard lib/model/toto/*.cpp lib/model/kronos/*.cpp))
LIB_C_OBJ    := $(LIB_C_SRC:%.c=$(BUILD)/obj/%.o)
LIB_CXX_OBJ  := $(LIB_CXX_SRC:%.cpp=$(BUILD)/obj/%.o)
LIB_OBJ      := $(LIB_C_OBJ) $(LIB_CXX_OBJ)
# The shared library and the CLI link no libtorch: the backends are the
# plugin $(PLUGIN) (lib/model/plugin/torch_plugin.h), loaded on first use.
# The static archive (tests, benchmarks, soak) holds the backends
# themselves and links libtorch as before: $(LIBS).
C_LIBS       := $(LIBS)
LIBS         += $(TORCH_LIBS) -lstdc++
LINK         := $(CXX)
# Test-only C++ (the traced forward pass): in the static archive only.
TEST_ONLY_CXX_OBJ := $(BUILD)/obj/lib/model/toto/toto_trace.o
SHARED_OBJ   := $(LIB_C_OBJ) $(BUILD)/obj/lib/model/plugin/torch_loader.o
PLUGIN_OBJ   := $(filter-out $(TEST_ONLY_CXX_OBJ),$(LIB_CXX_OBJ)) \
                $(BUILD)/obj/lib/model/plugin/torch_imports.o
PLUGIN       := $(BUILD)/lib/marketsim/libmarketsim-torch.so

CLI_SRC      := $(sort $(wildcard cli/*.c))
# The CLI's configuration file is parsed with Debian's libinih (libinih-dev).
CLI_LIBS     := $(shell pkg-config --libs inih 2>/dev/null || echo -linih)
# MPI (docs/scaling.md): Open MPI's pkg-config (ompi-c), else mpicc's own
# flags; MPI=0 builds without. Only the CLI's cli/mpi_*.c see MPI, so
# libmarketsim.so never links libmpi; without it cli/mpi_job.c and
# cli/mpi_watch.c are left out and a launch with several ranks is refused.
MPI          ?= 1
ifneq ($(MPI),0)
MPI_CFLAGS   := $(shell pkg-config --cflags ompi-c 2>/dev/null || mpicc --showme:compile 2>/dev/null)
MPI_LIBS     := $(shell pkg-config --libs ompi-c 2>/dev/null || mpicc --showme:link 2>/dev/null)
endif
ifeq ($(strip $(MPI_LIBS)),)
CLI_SRC      := $(filter-out cli/mpi_job.c cli/mpi_watch.c,$(CLI_SRC))
else
CLI_LIBS     += $(MPI_LIBS)
$(CLI_SRC:%.c=$(BUILD)/obj/%.o): CPPFLAGS_ALL += $(if $(findstring /mpi_,$@),-DMS_WITH_MPI $(MPI_CFLAGS))
endif
CLI_OBJ      := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
TEST_SRC     := $(sort $(wildcard tests/test_*.c))
TEST_BIN     := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
TEST_SUPPORT := $(sort $(wildcard tests/support/*.c))
TEST_SUPPORT_OBJ := $(TEST_SUPPORT:%.c=$(BUILD)/obj/%.o)
TEST_SUPPORT_LIB := $(BUILD)/obj/tests/libsupport.a
EXAMPLE_SRC  := $(sort $(wildcard examples/*.c))
BENCH_SRC    := $(sort $(wildcard bench/bench_*.c))
BENCH_CXX    := $(sort $(wildcard bench/bench_*.cpp))
BENCH_BIN    := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%) $(BENCH_CXX:bench/%.cpp=$(BUILD)/bench/%)

SONAME       := libmarketsim.so.$(SOVERSION)
SHARED       := $(BUILD)/lib/libmarketsim.so.$(VERSION)
STATIC       := $(BUILD)/lib/libmarketsim.a
CLI          := $(BUILD)/bin/marketsim

.PHONY: all test check-suites check-python check-fake-alpaca examples install-check bench run install \
        uninstall clean deps
all: $(BUILD)/lib/libmarketsim.so $(CLI) $(PLUGIN)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) -c $< -o $@

$(BUILD)/obj/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS_ALL) $(CXXFLAGS_ALL) -c $< -o $@

# The version script exports ms_* only (lib/libmarketsim.map).
$(SHARED): $(SHARED_OBJ) lib/libmarketsim.map
	@mkdir -p $(dir $@)
	$(CC) -shared -Wl,-soname,$(SONAME) -Wl,--no-undefined \
	    -Wl,--version-script=lib/libmarketsim.map -o $@ $(SHARED_OBJ) $(C_LIBS) $(LDFLAGS)

# The libtorch plugin: the backends, and the library functions they call
# forwarded to the library that loads it (torch_imports.c); --no-undefined
# catches a call missing from MS_TORCH_IMPORTS. TORCH_LIBS (and TORCH=DIR's
# rpath and CUDA libraries) apply here only.
$(PLUGIN): $(PLUGIN_OBJ) lib/model/plugin/torch_plugin.map
	@mkdir -p $(dir $@)
	$(CXX) -shared -Wl,--no-undefined -Wl,--version-script=lib/model/plugin/torch_plugin.map \
	    -o $@ $(PLUGIN_OBJ) $(TORCH_LIBS) -lstdc++ -ljansson -lm -lpthread $(LDFLAGS)

$(BUILD)/lib/libmarketsim.so: $(SHARED)
	ln -sf libmarketsim.so.$(VERSION) $(BUILD)/lib/$(SONAME)
	ln -sf $(SONAME) $@

# Tests link the static archive: it holds the same objects, and static
# linking reaches the library's internal (hidden) functions too.
$(STATIC): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(CLI): $(CLI_OBJ) $(BUILD)/lib/libmarketsim.so
	@mkdir -p $(dir $@)
	$(CC) -o $@ $(CLI_OBJ) -L$(BUILD)/lib -lmarketsim -Wl,-rpath,'$$ORIGIN/../lib' $(CLI_LIBS) $(C_LIBS) $(LDFLAGS)

# The test support files compile once per build into an archive, so each
# suite compiles only its own file and links just the helpers it calls.
$(BUILD)/obj/tests/support/%.o: tests/support/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) -Itests $(filter-out -fvisibility=hidden,$(CFLAGS_ALL)) -c $< -o $@

$(TEST_SUPPORT_LIB): $(TEST_SUPPORT_OBJ)
	rm -f $@
	ar rcs $@ $^

# `-x c` before the suite's C file: g++ is the linker driver once there is
# C++; `-x none` lets the archives be read as archives.
$(BUILD)/tests/%: tests/%.c $(TEST_SUPPORT_LIB) $(STATIC)
	@mkdir -p $(dir $@)
	$(LINK) $(CPPFLAGS_ALL) -Itests $(filter-out -fvisibility=hidden,$(CFLAGS_ALL)) -o $@ -x c $< -x none $(TEST_SUPPORT_LIB) $(STATIC) -lcmocka $(LIBS) $(LDFLAGS)

# A caller built against the frozen version 1 headers (tests/api_v1) and
# nothing else, linked with the current shared library: old callers keep
# working (docs/architecture.md, "How the API grows").
TEST_BIN     += $(BUILD)/tests/test_api_v1
$(BUILD)/tests/test_api_v1: tests/api_v1/caller.c $(wildcard tests/api_v1/marketsim/*.h) \
                            $(BUILD)/lib/libmarketsim.so
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(OPT) $(WARN) -Itests/api_v1 -o $@ $< -L$(BUILD)/lib -lmarketsim \
	    -Wl,-rpath,$(abspath $(BUILD))/lib -lcmocka $(LDFLAGS)

# The same caller as one built before the last two strategies were added:
# the frozen headers with MS_STRATEGY_COUNT 6. A symbol report's layout
# must not depend on the caller's strategy count.
TEST_BIN     += $(BUILD)/tests/test_api_v1_six_strategies
API_V1_SIX   := $(BUILD)/api_v1_six_strategies
$(BUILD)/tests/test_api_v1_six_strategies: tests/api_v1/caller.c \
        $(wildcard tests/api_v1/marketsim/*.h) $(BUILD)/lib/libmarketsim.so
	@mkdir -p $(dir $@) $(API_V1_SIX)/marketsim
	cp tests/api_v1/marketsim/*.h $(API_V1_SIX)/marketsim/
	sed -i 's/MS_STRATEGY_COUNT = 8$$/MS_STRATEGY_COUNT = 6/' $(API_V1_SIX)/marketsim/strategy.h
	grep -q 'MS_STRATEGY_COUNT = 6$$' $(API_V1_SIX)/marketsim/strategy.h
	$(CC) -std=c11 $(OPT) $(WARN) -I$(API_V1_SIX) -o $@ $< -L$(BUILD)/lib -lmarketsim \
	    -Wl,-rpath,$(abspath $(BUILD))/lib -lcmocka $(LDFLAGS)

# Examples build as users build them: public headers and the INSTALLED
# library, found through pkg-config (for a private prefix set
# PKG_CONFIG_PATH=PREFIX/lib/pkgconfig), with an rpath to its libdir so they
# run without LD_LIBRARY_PATH.
EXAMPLES_OUT ?= $(BUILD)/examples
examples:
	@mkdir -p $(EXAMPLES_OUT)
	@flags="$$(pkg-config --cflags marketsim)" && libs="$$(pkg-config --libs marketsim)" && \
	libdir="$$(pkg-config --variable=libdir marketsim)" && \
	for source in $(EXAMPLE_SRC); do \
	    echo "cc $$source -> $(EXAMPLES_OUT)/$$(basename $$source .c) ($$libs)"; \
	    $(CC) -std=c11 $(OPT) $(WARN) $$flags -o $(EXAMPLES_OUT)/$$(basename $$source .c) \
	        $$source $$libs -Wl,-rpath,$$libdir $(LDFLAGS) || exit 1; \
	done

# `make test` installs into a scratch prefix, builds the examples against
# that install and runs each one, then runs the Python examples with the
# installed package (outside the source tree, from a clean environment: no
# MARKETSIM_LIB, PYTHONPATH or LD_LIBRARY_PATH), so a broken install (a
# missing header, soname link, pkg-config field or Python module) fails the
# tests; the toto-tiny forecast proves the installed library finds its
# installed libtorch plugin. scripts/install-check-system then stages the default install
# (PREFIX=/usr/local under a DESTDIR) and proves that Debian's python3 and
# dynamic linker search where it puts the package and the library.
TEST_PREFIX := $(abspath $(BUILD))/test-install
PYTHON_DIR_TEST = $(shell scripts/python-dir /usr/bin/python3 $(TEST_PREFIX))
TEST_STAGE  := $(abspath $(BUILD))/test-stage
CLEAN_ENV   := env -i PATH=/usr/bin:/bin HOME=$(abspath $(BUILD))/test-home
install-check: all
	rm -rf $(TEST_PREFIX)
	$(MAKE) --no-print-directory install PREFIX=$(TEST_PREFIX) PYTHON=/usr/bin/python3 \
	    > $(BUILD)/install-check.log
	cat $(BUILD)/install-check.log
	grep -q "LD_LIBRARY_PATH=$(TEST_PREFIX)/lib" $(BUILD)/install-check.log
	grep -q "set PYTHONPATH=$(PYTHON_DIR_TEST)" $(BUILD)/install-check.log
	PKG_CONFIG_PATH=$(TEST_PREFIX)/lib/pkgconfig $(MAKE) --no-print-directory examples \
	    EXAMPLES_OUT=$(TEST_PREFIX)/examples
	$(CLEAN_ENV) MARKETSIM_BACKTEST_SIMULATIONS=5 sh -e -c 'cd $(TEST_PREFIX) && \
	    test -s share/man/man1/marketsim.1 && bin/marketsim --version && \
	    bin/marketsim forecast --data synthetic --symbol AAPL --horizon 2 \
	        --model $(CURDIR)/tests/fixtures/toto-tiny && \
	    examples/forecast AAPL && \
	    examples/analyze AAPL,BTCUSD && \
	    examples/backtest_one $(CURDIR)/tests/fixtures/analyze/GOOD.csv maxdiff 30 && \
	    examples/trade_e2e sim:$(TEST_PREFIX)/trade_e2e.journal synthetic AAPL,BTCUSD'
	cd $(TEST_PREFIX) && $(CLEAN_ENV) sh -e -c '\
	    export PYTHONPATH=$(PYTHON_DIR_TEST); \
	    /usr/bin/python3 -c "import marketsim, sys; \
	        sys.exit(0 if marketsim.__file__.startswith(\"$(TEST_PREFIX)/\") else \
	                 \"imported \" + marketsim.__file__ + \", not the installed package\")" && \
	    /usr/bin/python3 $(CURDIR)/examples/python/forecast.py && \
	    MARKETSIM_BACKTEST_SIMULATIONS=5 /usr/bin/python3 $(CURDIR)/examples/python/analyze.py AAPL BTCUSD && \
	    /usr/bin/python3 $(CURDIR)/examples/python/backtest_one.py \
	        $(CURDIR)/tests/fixtures/analyze/GOOD.csv maxdiff'
	$(MAKE) --no-print-directory uninstall PREFIX=$(TEST_PREFIX) PYTHON=/usr/bin/python3
	@left="$$(find $(TEST_PREFIX) -type f -not -path '$(TEST_PREFIX)/examples/*' \
	    -not -name trade_e2e.journal -not -name trade_e2e.journal.ledger)"; \
	if [ -n "$$left" ]; then echo "make uninstall left: $$left"; exit 1; fi
	rm -rf $(TEST_STAGE)
	$(MAKE) --no-print-directory install DESTDIR=$(TEST_STAGE) PREFIX=/usr/local PYTHON=/usr/bin/python3
	scripts/install-check-system $(TEST_STAGE) /usr/local

# The tests never read the user's own configuration file (a directory
# that does not exist: no file, which is no error).
TEST_CONFIG := XDG_CONFIG_HOME=$(abspath $(BUILD))/no-config

# Each suite prints CMocka's summary; the run fails if any suite fails, but
# every suite still runs so one failure does not hide another. SUITES
# narrows the run (e.g. the sanitizer builds' subsets). The CLI caches
# forecasts by default: the tests' go under build/, not the user's cache.
TEST_CACHE_HOME := $(abspath $(BUILD))/test-cache
SUITES ?= $(TEST_BIN)
check-suites: all $(SUITES)
	@failed=0; for t in $(SUITES); do \
	    echo "== $$t"; \
	    MARKETSIM_BIN=$(abspath $(CLI)) MARKETSIM_SHARED=$(abspath ../shared) \
	        MARKETSIM_SOURCE_DIR=$(CURDIR) $(TEST_CONFIG) XDG_CACHE_HOME=$(TEST_CACHE_HOME) $$t \
	        || failed=$$((failed + 1)); \
	done; \
	if [ $$failed -ne 0 ]; then echo "$$failed test suite(s) failed"; exit 1; fi; \
	echo "all $(words $(SUITES)) test suites passed"

check-python: all
	MARKETSIM_LIB=$(abspath $(BUILD)/lib/libmarketsim.so) MARKETSIM_BIN=$(abspath $(CLI)) \
	    MARKETSIM_SOURCE_DIR=$(CURDIR) PYTHONPATH=bindings/python $(TEST_CONFIG) \
	    XDG_CACHE_HOME=$(TEST_CACHE_HOME) \
	    /usr/bin/python3 -m pytest -q -p no:cacheprovider bindings/python/tests

# The test Alpaca server's own tests (standard library unittest, run by pytest).
check-fake-alpaca:
	/usr/bin/python3 -m pytest -q -p no:cacheprovider tests/servers/test_fake_alpaca.py

# docs/api.md is generated from the headers' comments: --check fails when it
# is stale or a public function lacks its documentation. gen-version --check:
# the version in common.h, Python and the man page is VERSION's.
# check-references: every path and ms_ name a comment or document gives exists.
# check-env: the library reads the environment only in its opt-in functions.
test: install-check
	scripts/gen-api-docs --check
	scripts/gen-version --check
	scripts/check-references
	scripts/check-env
	$(MAKE) --no-print-directory check-suites
	$(MAKE) --no-print-directory check-python
	$(MAKE) --no-print-directory check-fake-alpaca

$(BUILD)/bench/%: bench/%.c $(STATIC)
	@mkdir -p $(dir $@)
	$(LINK) -x c $(CPPFLAGS_ALL) $(filter-out -fvisibility=hidden,$(CFLAGS_ALL)) -o $@ $< -x none $(STATIC) $(LIBS) $(LDFLAGS)

$(BUILD)/bench/%: bench/%.cpp $(STATIC)
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS_ALL) $(filter-out -fvisibility=hidden,$(CXXFLAGS_ALL)) -o $@ $< $(STATIC) $(LIBS) $(LDFLAGS)

# Benchmarks measure; they never fail on a number (tests never time).
# The engine benchmark runs with both checkpoints the issue names.
bench: $(BENCH_BIN)
	@for b in $(filter-out %/bench_engine,$(BENCH_BIN)); do $$b || exit 1; done
	@for preset in tiny small; do $(BUILD)/bench/bench_engine $$preset || exit 1; done

deps:
	@scripts/install-deps

run: deps
	$(MAKE) all
	$(CLI) analyze --symbols AAPL,MSFT,NVDA,SPY,BTCUSD,ETHUSD

# The Python package goes where the prefix's python3 (PREFIX/bin/python3,
# else Debian's /usr/bin/python3) looks for packages under PREFIX, as that
# python3 itself says (scripts/python-dir: /usr/local/lib/python3.11/
# dist-packages for /usr/local on Debian 12); set PYTHON_DIR for another.
# After copying, scripts/post-install runs ldconfig for a system prefix
# (as root) or says how to find the library and the package.
PYTHON_SRC   := $(sort $(wildcard bindings/python/marketsim/*.py))
PYTHON       ?= $(firstword $(wildcard $(PREFIX)/bin/python3 /usr/bin/python3) python3)
PYTHON_DIR   ?= $(shell scripts/python-dir $(PYTHON) $(PREFIX))
MAN_DIR      := $(PREFIX)/share/man/man1

install: all
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/bin \
	    $(DESTDIR)$(PREFIX)/include/marketsim $(DESTDIR)$(PREFIX)/lib/pkgconfig \
	    $(DESTDIR)$(MAN_DIR)
	install -m 755 $(SHARED) $(DESTDIR)$(PREFIX)/lib/
	install -D -m 755 $(PLUGIN) $(DESTDIR)$(PREFIX)/lib/marketsim/libmarketsim-torch.so
	ln -sf libmarketsim.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(PREFIX)/lib/libmarketsim.so
	install -m 644 include/marketsim/*.h $(DESTDIR)$(PREFIX)/include/marketsim/
	install -m 755 $(CLI) $(DESTDIR)$(PREFIX)/bin/marketsim
	install -m 644 man/marketsim.1 $(DESTDIR)$(MAN_DIR)/marketsim.1
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' marketsim.pc.in \
	    > $(DESTDIR)$(PREFIX)/lib/pkgconfig/marketsim.pc
ifneq ($(PYTHON_SRC),)
	install -d $(DESTDIR)$(PYTHON_DIR)/marketsim
	install -m 644 $(PYTHON_SRC) $(DESTDIR)$(PYTHON_DIR)/marketsim/
endif
	@if [ -z "$(DESTDIR)" ]; then scripts/post-install $(PREFIX) $(PYTHON_DIR) $(PYTHON); fi

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/lib/libmarketsim.so* $(DESTDIR)$(PREFIX)/bin/marketsim \
	    $(DESTDIR)$(PREFIX)/lib/marketsim/libmarketsim-torch.so \
	    $(DESTDIR)$(PREFIX)/lib/pkgconfig/marketsim.pc $(DESTDIR)$(MAN_DIR)/marketsim.1
	rmdir $(DESTDIR)$(PREFIX)/lib/marketsim 2>/dev/null || true
	rm -rf $(DESTDIR)$(PREFIX)/include/marketsim $(DESTDIR)$(PYTHON_DIR)/marketsim

clean:
	rm -rf $(BUILD)

# Reliability targets (sanitizers, fuzzing, leak checks, soak) and other
# add-ons live in their own makefiles.
include $(sort $(wildcard mk/*.mk))

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
