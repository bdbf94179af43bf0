# sanitize.mk - the test suites under the sanitizers, each in its own build
# tree so the instrumented objects never mix with the normal ones.
#
#   make sanitize   every CMocka suite (and through test_cli*, the CLI) built
#                   with AddressSanitizer + UndefinedBehaviorSanitizer; any
#                   finding aborts its suite and fails the run
#   make tsan       the suites that run threads (analyzer and engine, thread
#                   pool, a model shared between threads, data sources,
#                   brokers, trade cycles and loops) under ThreadSanitizer
#
# Both use gcc (CC/CXX as for the normal build): libtorch's C++ headers and
# Debian's libstdc++ are what the normal build uses, and gcc's sanitizers
# run the same tests. The flags below are the whole configuration: nothing
# is suppressed for ASan/UBSan; TSan's suppressions are in
# mk/tsan.supp, each with its reason.

SANITIZE_BUILD := build/sanitize
SANITIZE_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
                  -fno-sanitize-recover=all
# detect_leaks: LeakSanitizer runs at each suite's exit, so a leak fails it.
# strict_string_checks and detect_stack_use_after_return widen what ASan
# checks beyond its defaults.
SANITIZE_ENV   := ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:abort_on_error=0 \
                  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

TSAN_BUILD     := build/tsan
TSAN_FLAGS     := -O1 -g -fno-omit-frame-pointer -fsanitize=thread
TSAN_SUITES    := test_pool test_analyzer test_engine test_model_forecast test_toto_invariants \
                  test_source test_broker_http test_alpaca_faults test_alpaca_trading \
                  test_alpaca_bars test_sim_broker test_trade_cycle test_trade_loop test_trade_kill
# A thread sets the stop flag while another is in the HTTP client.
TSAN_SUITES    += test_stop_requests
# Log lines from many threads to one callback; the CLI's progress watcher
# woken by the signal handler (the suite runs this build's CLI).
TSAN_SUITES    += test_log test_cli_progress
# Cancels from another thread while loads, batches and strategies run.
TSAN_SUITES    += test_analyzer_cancel
TSAN_ENV       := TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$(CURDIR)/mk/tsan.supp"

.PHONY: sanitize tsan
sanitize:
	$(SANITIZE_ENV) $(MAKE) --no-print-directory BUILD=$(SANITIZE_BUILD) \
	    OPT="$(SANITIZE_FLAGS)" LDFLAGS="-fsanitize=address,undefined" check-suites

tsan:
	$(TSAN_ENV) $(MAKE) --no-print-directory BUILD=$(TSAN_BUILD) OPT="$(TSAN_FLAGS)" \
	    LDFLAGS="-fsanitize=thread" \
	    SUITES="$(TSAN_SUITES:%=$(TSAN_BUILD)/tests/%)" check-suites
