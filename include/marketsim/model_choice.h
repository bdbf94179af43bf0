/*
 * marketsim/model_choice.h - the model chosen per symbol (`analyze --model
 * A,B`): one analysis per model over the same symbols, and per symbol the
 * model whose best strategy scored higher in the walk-forward backtest.
 *
 * Thread safety: as an analyzer's (analyze.h): a choice runs one analysis
 * at a time; a finished choice may be read from any thread.
 *
 * Ownership: a choice owns its reports, and everything its accessors
 * return lives until ms_model_choice_free.
 * Errors: a function returning ms_status returns MS_OK or one of the
 * negative codes its comment lists, and then ms_last_error() holds the
 * message (common.h).
 */
#ifndef MARKETSIM_MODEL_CHOICE_H
#define MARKETSIM_MODEL_CHOICE_H

#include "analyze.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Every symbol analysed with each of several models, and per symbol the
 * model whose best strategy scores higher in the walk-forward backtest
 * (the best strategy's mean average daily return; ties and failures keep
 * the model listed first), as the Python original chose between Toto and
 * Kronos. Holds the models' reports. */
typedef struct ms_model_choice ms_model_choice;

/*
 * The choice over `n_models` reports already made (reports[m] the analysis
 * with the model named model_names[m]) for `symbols` (the rows, in that
 * order), into *out to free with ms_model_choice_free. The choice takes the
 * reports over, also on error (they are freed with it). Errors: MS_ERR_INVALID_ARG (a NULL argument or name, no model),
 * MS_ERR_NOMEM.
 */
MS_API ms_status ms_model_choice_create(ms_model_choice **out, const char *const *model_names,
                                        ms_report **reports, size_t n_models,
                                        const char *const *symbols, size_t n_symbols);

/*
 * Runs ms_analyzer_run over `symbols` once per model (each with an analyzer
 * of `source`, models[m] and `opts`), then ms_model_choice_create: *out
 * to free with ms_model_choice_free. Arguments are borrowed for the call. Errors: those of ms_analyzer_create
 * and ms_analyzer_run, naming the model; MS_ERR_INVALID_ARG, MS_ERR_NOMEM.
 */
MS_API ms_status ms_model_choice_run(ms_model_choice **out, ms_source *source,
                                     ms_model *const *models, const char *const *model_names,
                                     size_t n_models, const ms_analyzer_options *opts,
                                     const char *const *symbols, size_t n_symbols);

/* Frees the choice and its reports. NULL-safe. */
MS_API void ms_model_choice_free(ms_model_choice *choice);

/* The models: the count, model m's name and report, owned by the choice
 * (NULL when m is out of range or choice is NULL; the count is then 0). */
MS_API size_t ms_model_choice_model_count(const ms_model_choice *choice);
MS_API const char *ms_model_choice_model_name(const ms_model_choice *choice, size_t m);
MS_API const ms_report *ms_model_choice_report(const ms_model_choice *choice, size_t m);

/* The symbols (rows): the count and symbol i, owned by the choice (NULL out
 * of range). */
MS_API size_t ms_model_choice_symbol_count(const ms_model_choice *choice);
MS_API const char *ms_model_choice_symbol(const ms_model_choice *choice, size_t i);

/* The index of the model chosen for symbol i; -1 when no model analysed it
 * (or i is out of range). */
MS_API int ms_model_choice_chosen(const ms_model_choice *choice, size_t i);

/* Symbol i's score under model m (its best strategy's mean average daily
 * return) and, when `best` is not NULL, that strategy; NaN when the symbol
 * failed under that model (or out of range). */
MS_API double ms_model_choice_score(const ms_model_choice *choice, size_t i, size_t m,
                                    ms_strategy *best);

/* The choice as JSON: {"models": [names], "reports": {name: the report's
 * JSON}, "choice": [{"symbol", "models": {name: {"best_strategy",
 * "avg_daily_return"} or null}, "chosen": name or null}]}; *out is freed
 * with ms_free. Errors: MS_ERR_INVALID_ARG (NULL argument), MS_ERR_NOMEM. */
MS_API ms_status ms_model_choice_to_json(const ms_model_choice *choice, char **out);

#ifdef __cplusplus
}
#endif
#endif
