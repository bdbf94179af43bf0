# leakcheck.mk - valgrind's memcheck on the CLI as users run it: an analysis
# with the baseline model, one with the tiny Toto checkpoint of the test
# fixtures (libtorch's forward pass included), and a trade cycle against a
# fresh simulated broker.
#
#   make leakcheck
#
# The baseline analysis includes a rejected file and a missing one (exit
# status 1 expected), so the error paths are checked too. A run fails on
# any memcheck error (invalid read or write, use of
# uninitialised memory, a bad free) and on any definitely, indirectly or
# possibly lost block. "Still reachable" blocks are allowed: they are
# libtorch's and libgomp's process-lifetime registries, alive at exit by
# design, and valgrind lists none from marketsim's own allocations (check
# with --show-leak-kinds=all). The one suppression, libtorch's process-wide
# thread pool, is justified in mk/valgrind.supp. Simulations are cut to keep valgrind's
# 20-50x slowdown to minutes.

LEAKCHECK_DIR := $(BUILD)/leakcheck
VALGRIND      := valgrind --quiet --error-exitcode=99 --leak-check=full \
                 --errors-for-leak-kinds=definite,indirect,possible --track-origins=yes \
                 --suppressions=mk/valgrind.supp

# Valgrind 3.19 (Debian 12) cannot run libtorch's dependencies on every
# CPU: on AMD processors with AVX-512 (Zen 4/5) libhwy, loaded through
# libtorch -> libavcodec -> libjxl, dies at start-up on an instruction
# valgrind does not decode (SIGILL in hwy::platform::TimerResolution), before
# any marketsim code runs. There the same three runs go through the
# AddressSanitizer + LeakSanitizer build of the CLI instead (make sanitize's
# flags): memory errors and leaks still fail the run, and the run says
# which tool checked it.
LEAKCHECK_RUNS = \
	$(1) analyze --data csv:tests/fixtures/analyze \
	    --symbols GOOD,OTHER,BADHIGH,MISSING --simulations 5 \
	    > $(LEAKCHECK_DIR)/baseline.out || [ $$? -eq 1 ]; \
	$(1) analyze --model tests/fixtures/toto-tiny --symbols AAPL,ETHUSD \
	    --simulations 3 --json > $(LEAKCHECK_DIR)/toto.json && \
	$(1) trade --broker sim:$(LEAKCHECK_DIR)/sim.journal \
	    --symbols AAPL,MSFT,BTCUSD --simulations 5 > $(LEAKCHECK_DIR)/trade.out

.PHONY: leakcheck leakcheck-valgrind leakcheck-lsan
leakcheck: all
	@command -v valgrind >/dev/null || { echo "leakcheck needs valgrind (apt-get install valgrind)"; exit 1; }
	@if valgrind --quiet $(CLI) model info tests/fixtures/toto-tiny >/dev/null 2>&1; then \
	    $(MAKE) --no-print-directory leakcheck-valgrind; \
	else \
	    echo "leakcheck: valgrind cannot start the CLI on this CPU (libhwy's start-up, see mk/leakcheck.mk): using LeakSanitizer"; \
	    $(MAKE) --no-print-directory leakcheck-lsan; \
	fi

leakcheck-valgrind:
	rm -rf $(LEAKCHECK_DIR) && mkdir -p $(LEAKCHECK_DIR)
	set -e; $(call LEAKCHECK_RUNS,$(VALGRIND) $(CLI))
	@echo "leakcheck: no memcheck errors, no leaks (valgrind; analyze baseline and toto-tiny, trade sim)"

LSAN_CLI = $(SANITIZE_BUILD)/bin/marketsim

# `all`: the CLI, its library and the libtorch plugin the toto-tiny run loads.
leakcheck-lsan:
	$(MAKE) --no-print-directory BUILD=$(SANITIZE_BUILD) OPT="$(SANITIZE_FLAGS)" \
	    LDFLAGS="-fsanitize=address,undefined" all
	rm -rf $(LEAKCHECK_DIR) && mkdir -p $(LEAKCHECK_DIR)
	set -e; export $(SANITIZE_ENV); $(call LEAKCHECK_RUNS,$(LSAN_CLI))
	@echo "leakcheck: no memory errors, no leaks (AddressSanitizer + LeakSanitizer; analyze baseline and toto-tiny, trade sim)"
