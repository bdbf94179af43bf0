/*
 * fills.c - the fill models (strategies.md, "Fill models"): where a limit
 * order fills on a daily bar, and so which orders of one day can both
 * happen.
 *
 * The reference model (the original's rule) credits a limit whenever the
 * day's range covers it, whatever the order of the high and the low. The
 * path models walk the day as four points, open -> one extreme -> the
 * other -> close, the price moving monotonically between them: a limit
 * fills at the first point beyond it, at the open price when the open is
 * already through it, else at the limit itself (the path is continuous
 * after the open). bar-path takes the extreme nearer the open first (ties:
 * the low); worst tries both orders and keeps the one worse for the
 * strategy (the callers do that: only they know what is worse).
 */
#include <math.h>

#include "core/core_internal.h"
#include "strategy_internal.h"

static const char *const fill_names[] = {
    [MS_FILLS_REFERENCE] = "reference",
    [MS_FILLS_BAR_PATH] = "bar-path",
    [MS_FILLS_WORST] = "worst",
};

MS_API const char *ms_fill_model_name(ms_fill_model model)
{
    if ((int)model < 0 || (size_t)model >= MS_ARRAY_LEN(fill_names))
        return NULL;
    return fill_names[model];
}

MS_API ms_status ms_fill_model_parse(const char *text, ms_fill_model *out)
{
    if (text == NULL || out == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_fill_model_parse: NULL %s",
                        text == NULL ? "text" : "out");
    for (size_t m = 0; m < MS_ARRAY_LEN(fill_names); m++) {
        if (ms_str_ieq(text, fill_names[m])) {
            *out = (ms_fill_model)m;
            return MS_OK;
        }
    }
    return ms_error(MS_ERR_INVALID_ARG,
                    "unknown fill model '%s' (expected reference, bar-path or worst)", text);
}

bool ms_bar_path_low_first(double open, double high, double low)
{
    return open - low <= high - open;
}

ms_bar_path ms_bar_path_make(const ms_window *window, size_t day, bool low_first)
{
    double high = window->high_actual[day], low = window->low_actual[day];
    return (ms_bar_path){ { window->open_actual[day], low_first ? low : high,
                            low_first ? high : low, window->close_actual[day] } };
}

/* Whether `price` is through a limit at `level` for a buy (side > 0: at or
 * below it) or a sell (at or above it); strictly beyond it when `strict`. */
static bool through(double price, int side, double level, bool strict)
{
    if (side > 0)
        return strict ? price < level : price <= level;
    return strict ? price > level : price >= level;
}

int ms_path_limit(const ms_bar_path *path, int from, int side, double level, bool strict,
                  double *price)
{
    for (int i = from; i < MS_PATH_POINTS; i++) {
        if (through(path->at[i], side, level, strict)) {
            *price = i == 0 ? path->at[0] : level;
            return i;
        }
    }
    return -1;
}
