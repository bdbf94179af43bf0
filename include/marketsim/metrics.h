/*
 * marketsim/metrics.h - performance metrics over a whole return series
 * (docs/strategies.md, "Metrics"), following empyrical's conventions so results can be
 * cross-checked against it.
 *
 * NaN inputs: a NaN period counts as a return of 0 in products (cumulative
 * return, CAGR, drawdown) and is skipped in means and deviations (Sharpe,
 * Sortino, downside risk, volatility) and in the win rate and profit factor,
 * as empyrical does; it still counts as a period for CAGR's number of years.
 *
 * Thread safety: pure functions, no allocation: safe from any thread.
 *
 * Errors: a function returning ms_status returns MS_OK or one of the
 * negative codes its comment lists, and then ms_last_error() holds the
 * message (common.h).
 */
#ifndef MARKETSIM_METRICS_H
#define MARKETSIM_METRICS_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ms_metrics_options {
    int version;               /* MS_METRICS_OPTIONS_VERSION */
    double periods_per_year;   /* 252 stocks, 365 crypto, 52 weekly, 12 monthly */
    double risk_free;          /* per period, for Sharpe */
    double mar;                /* minimum acceptable return per period, for Sortino */
} ms_metrics_options;

#define MS_METRICS_OPTIONS_VERSION 1
#define MS_METRICS_OPTIONS_INIT { MS_METRICS_OPTIONS_VERSION, 252.0, 0.0, 0.0 }

/* Fills *opts with the defaults of version `version` (1 to
 * MS_METRICS_OPTIONS_VERSION; pass MS_METRICS_OPTIONS_VERSION), as MS_METRICS_OPTIONS_INIT does. Writes
 * only the fields that version has, so a caller built against an older
 * header gets a struct the size its header says. Errors: MS_ERR_INVALID_ARG
 * for a NULL opts or another version. */
MS_API ms_status ms_metrics_options_init(ms_metrics_options *opts, int version);

typedef struct ms_metrics {
    double sharpe;
    double sortino;
    double downside_risk;
    double max_drawdown;        /* <= 0 */
    double cumulative_return;
    double annual_return;       /* CAGR */
    double annual_volatility;
    double calmar;
    double win_rate;
    double profit_factor;
    size_t periods;
} ms_metrics;

/*
 * Computes every metric of docs/strategies.md over n returns. Undefined values are
 * NaN (fewer than 2 values for Sharpe, no drawdown for Calmar, ...) or +-inf
 * where docs/strategies.md says so. n may be 0 (everything NaN, cumulative 0).
 * `returns` (n values) is only read; `opts` NULL means
 * MS_METRICS_OPTIONS_INIT; the result is written to *out (not NULL).
 * Errors: MS_ERR_INVALID_ARG (NULL pointers with n > 0, periods_per_year <= 0).
 */
MS_API ms_status ms_metrics_compute(const double *returns, size_t n,
                                    const ms_metrics_options *opts,
                                    ms_metrics *out);

#ifdef __cplusplus
}
#endif
#endif
