# mk/soak.mk - the trade-loop soak against the local Alpaca stand-in.
#
#   make soak [SOAK_CYCLES=200] [SOAK_SEED=1]
#
# Builds build/soak/soak_trade (tests/soak/*.c with the test support files,
# linked like the CMocka suites: the static archive) and runs it: SOAK_CYCLES
# trading days of ms_trade_cycle against tests/servers/fake_alpaca.py with
# seeded random faults, then the server's orders must equal the intended
# ones exactly and RSS must not have grown after the warm-up. Not part of
# `make test`: a default run takes minutes.

SOAK_CYCLES ?= 200
SOAK_SEED   ?= 1
SOAK_SRC    := $(sort $(wildcard tests/soak/*.c))
SOAK_BIN    := $(BUILD)/soak/soak_trade

.PHONY: soak
soak: $(SOAK_BIN)
	MARKETSIM_SOURCE_DIR=$(CURDIR) SOAK_CYCLES=$(SOAK_CYCLES) SOAK_SEED=$(SOAK_SEED) $(SOAK_BIN)

$(SOAK_BIN): $(SOAK_SRC) tests/soak/soak.h $(TEST_SUPPORT) $(STATIC)
	@mkdir -p $(dir $@)
	$(LINK) $(CPPFLAGS_ALL) -Itests $(filter-out -fvisibility=hidden,$(CFLAGS_ALL)) -o $@ \
	    $(foreach source,$(SOAK_SRC) $(TEST_SUPPORT),-x c $(source)) -x none $(STATIC) -lcmocka \
	    $(LIBS) $(LDFLAGS)
