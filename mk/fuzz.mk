# mk/fuzz.mk - libFuzzer targets for every parser of outside input.
#
#   make fuzz-build                  build the targets into build/fuzz/bin
#   make fuzz [FUZZ_SECONDS=60]      build, then run each target that long on a
#                                    scratch copy of its seed corpus; one summary
#                                    line per target; fails on any crash, leaving
#                                    the input under build/fuzz/run/<target>/
#
# Targets (fuzz/fuzz_<target>.c; seeds in fuzz/corpus/<target>/, dictionaries
# in fuzz/dict/<target>.dict):
#   csv            CSV bars text (ms_bars_parse_csv), both OHLC policies
#   safetensors    a whole .safetensors file (ms_safetensors_open)
#   toto_config    Toto config.json (ms_toto_config_parse)
#   alpaca         Alpaca responses: account, clock, order, positions, orders,
#                  bars pages, error bodies (byte 0 picks the kind)
#   series_json    `marketsim forecast --series-json` files (cli/series_input.c)
#   sim_journal    the sim broker's journal replay (ms_broker_open "sim:PATH")
#   base_url       trading and data base URLs (ms_base_url_parse) and request
#                  URLs checked against them (ms_base_url_covers)
#
# Only the C layers the parsers live in are compiled, with clang, into
# build/fuzz/obj: the libtorch port (lib/model/toto/*.cpp) is never needed
# (no parser calls into it) and would dominate the build time. Targets link
# a static archive, so each pulls in only the objects it reaches.

FUZZ_SECONDS   ?= 60
FUZZ_CC        ?= clang
FUZZ_DIR       := $(BUILD)/fuzz
FUZZ_TARGETS   := csv safetensors toto_config alpaca series_json sim_journal
FUZZ_TARGETS   += base_url
FUZZ_BINS      := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/bin/fuzz_%)
FUZZ_SANITIZE  := -fsanitize=address,undefined -fno-sanitize-recover=all
# -Wno-unknown-warning-option: the sources silence GCC-only warnings by
# pragma, which clang does not know.
FUZZ_CFLAGS    := -std=c11 -g -O1 $(WARN) -Wno-unknown-warning-option -pthread -MMD -MP \
                  $(FUZZ_SANITIZE) -fsanitize=fuzzer-no-link
FUZZ_LDFLAGS   := $(FUZZ_SANITIZE) -fsanitize=fuzzer -pthread
# The C library's link line without libtorch, which no target needs.
FUZZ_LIBS      := -lcurl -ljansson -lm -lpthread
FUZZ_LAYERS    := core data model broker
FUZZ_LIB_SRC   := $(sort $(foreach layer,$(FUZZ_LAYERS),$(wildcard lib/$(layer)/*.c)) \
                         $(wildcard lib/broker/*/*.c))
FUZZ_LIB_OBJ   := $(FUZZ_LIB_SRC:%.c=$(FUZZ_DIR)/obj/%.o)
FUZZ_ARCHIVE   := $(FUZZ_DIR)/libmarketsim_fuzz.a

# Objects beyond the archive, and link options, per target: the series
# reader is the CLI's own; the Alpaca target replaces the HTTP transport
# (see fuzz/fuzz_alpaca.c).
FUZZ_EXTRA_series_json := $(FUZZ_DIR)/obj/cli/series_input.o
FUZZ_LINK_alpaca       := -Wl,--wrap=ms_http_get -Wl,--wrap=ms_http_send

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_BINS)

$(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS_ALL) -Icli -Ifuzz $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_ARCHIVE): $(FUZZ_LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

define FUZZ_TARGET_RULE
$(FUZZ_DIR)/bin/fuzz_$(1): $(FUZZ_DIR)/obj/fuzz/fuzz_$(1).o $(FUZZ_DIR)/obj/fuzz/fuzz_support.o \
                           $(FUZZ_EXTRA_$(1)) $(FUZZ_ARCHIVE)
	@mkdir -p $$(dir $$@)
	$(FUZZ_CC) $(FUZZ_LDFLAGS) $(FUZZ_LINK_$(1)) -o $$@ $$^ $(FUZZ_LIBS)
endef
$(foreach target,$(FUZZ_TARGETS),$(eval $(call FUZZ_TARGET_RULE,$(target))))

# Every target runs even after one fails, so one crash does not hide
# another; the exit status says whether any did.
fuzz: fuzz-build
	@failed=0; for target in $(FUZZ_TARGETS); do \
	    fuzz/run_target.sh $(FUZZ_DIR) $$target $(FUZZ_SECONDS) || failed=$$((failed + 1)); \
	done; \
	if [ $$failed -ne 0 ]; then echo "fuzz: $$failed target(s) failed"; exit 1; fi; \
	echo "fuzz: all $(words $(FUZZ_TARGETS)) targets ran $(FUZZ_SECONDS)s without a failure"
