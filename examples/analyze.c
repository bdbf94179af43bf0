/*
 * analyze.c - batch analysis of a symbol list: forecast, backtest every
 * strategy over walk-forward simulations, rank the symbols, then print the
 * ranking and the picks from the report's structs.
 *
 *   analyze [SYMBOLS [DATA [MODEL]]]
 *   defaults: AAPL,MSFT,NVDA,SPY,BTCUSD,ETHUSD  synthetic  baseline
 *   e.g.      analyze JD,NIO,SUIUSD csv:../shared/data/daily
 * MARKETSIM_BACKTEST_SIMULATIONS and the other MARKETSIM_* variables apply,
 * as for the CLI: the program asks for them (ms_*_options_from_env).
 */
#include <stdio.h>
#include <string.h>

#include <marketsim/marketsim.h>

#define MAX_SYMBOLS 64

static int failed(const char *what)
{
    fprintf(stderr, "analyze: %s: %s\n", what, ms_last_error());
    return 1;
}

/* Splits a comma-separated list in place. */
static size_t split_symbols(char *list, const char *symbols[MAX_SYMBOLS])
{
    size_t n = 0;
    for (char *name = strtok(list, ","); name != NULL && n < MAX_SYMBOLS;
         name = strtok(NULL, ","))
        symbols[n++] = name;
    return n;
}

static void print_report(const ms_report *report)
{
    printf("%-4s %-10s %-18s %10s %8s %12s\n", "#", "symbol", "best strategy", "score",
           "side", "pred close");
    for (size_t i = 0; i < ms_report_symbol_count(report); i++) {
        const ms_symbol_report *r = ms_report_symbol(report, i);
        printf("%-4zu %-10s %-18s %10.5f %8s %12.4f\n", i + 1, r->symbol,
               ms_strategy_name(r->best_strategy), r->composite_score,
               r->side > 0 ? "buy" : r->side < 0 ? "sell" : "-", r->forecast_close);
    }
    for (size_t i = 0; i < ms_report_pick_count(report); i++) {
        const ms_pick *p = ms_report_pick(report, i);
        printf("pick: %s %g %s at %.4f, take profit %.4f\n", p->side > 0 ? "buy" : "sell",
               p->quantity, p->symbol, p->entry_price, p->take_profit_price);
    }
    /* Failed symbols do not stop the others; the report lists them. */
    for (size_t i = 0; i < ms_report_error_count(report); i++)
        printf("error: %s: %s\n", ms_report_error(report, i)->symbol,
               ms_report_error(report, i)->message);
}

int main(int argc, char **argv)
{
    char list[1024];
    snprintf(list, sizeof list, "%s", argc > 1 ? argv[1] : "AAPL,MSFT,NVDA,SPY,BTCUSD,ETHUSD");
    const char *data = argc > 2 ? argv[2] : "synthetic";
    const char *model_path = argc > 3 ? argv[3] : "baseline";
    const char *symbols[MAX_SYMBOLS];
    size_t n = split_symbols(list, symbols);
    ms_source *source = NULL;
    ms_model *model = NULL;
    ms_analyzer *analyzer = NULL;
    ms_report *report = NULL;
    int code = 1;
    /* Defaults, overridden by the MARKETSIM_* environment because we ask:
     * the library reads none of it on its own. */
    ms_model_options model_options = MS_MODEL_OPTIONS_INIT;
    ms_analyzer_options options = MS_ANALYZER_OPTIONS_INIT;
    if (ms_model_options_from_env(&model_options) != MS_OK ||
        ms_analyzer_options_from_env(&options) != MS_OK)
        code = failed("environment");
    else if (ms_source_open(&source, data, NULL) != MS_OK)
        code = failed("data source");
    else if (ms_model_open(&model, model_path, &model_options) != MS_OK)
        code = failed("model");
    else if (ms_analyzer_create(&analyzer, source, model, &options) != MS_OK)
        code = failed("analyzer");
    else if (ms_analyzer_run(analyzer, symbols, n, &report) != MS_OK)
        code = failed("analysis");
    else {
        print_report(report);
        code = ms_report_error_count(report) > 0;
    }
    ms_report_free(report);
    ms_analyzer_free(analyzer);
    ms_model_free(model);
    ms_source_free(source);
    return code;
}
