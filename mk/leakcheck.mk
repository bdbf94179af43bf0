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

.PHONY: leakcheck
leakcheck: all
	@command -v valgrind >/dev/null || { echo "leakcheck needs valgrind (apt-get install valgrind)"; exit 1; }
	rm -rf $(LEAKCHECK_DIR) && mkdir -p $(LEAKCHECK_DIR)
	$(VALGRIND) $(CLI) analyze --data csv:tests/fixtures/analyze \
	    --symbols GOOD,OTHER,BADHIGH,MISSING --simulations 5 \
	    > $(LEAKCHECK_DIR)/baseline.out || [ $$? -eq 1 ]
	$(VALGRIND) $(CLI) analyze --model tests/fixtures/toto-tiny --symbols AAPL,ETHUSD \
	    --simulations 3 --json > $(LEAKCHECK_DIR)/toto.json
	$(VALGRIND) $(CLI) trade --broker sim:$(LEAKCHECK_DIR)/sim.journal \
	    --symbols AAPL,MSFT,BTCUSD --simulations 5 > $(LEAKCHECK_DIR)/trade.out
	@echo "leakcheck: no memcheck errors, no leaks (analyze baseline and toto-tiny, trade sim)"
