/*
 * marketsim/marketsim.h - the whole public API of libmarketsim.
 *
 * Layers, each in its own header: common (status codes, errors, version),
 * data (bars, CSV, sources), model (forecasters), strategy (strategies and
 * the profit function), metrics (return-series metrics), analyze (the
 * batch analyzer and its report), model_choice (the model chosen per
 * symbol), shard (analyses split over processes and merged), broker (Alpaca and the simulated broker)
 * and trade (order plans and the trade cycle); records describes the public
 * structs for bindings.
 */
#ifndef MARKETSIM_H
#define MARKETSIM_H

#include "common.h"
#include "data.h"
#include "model.h"
#include "strategy.h"
#include "metrics.h"
#include "analyze.h"
#include "model_choice.h"
#include "shard.h"
#include "cache.h"
#include "broker.h"
#include "trade.h"
#include "records.h"

#endif
