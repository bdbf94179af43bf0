/*
 * forecasts_csv.c - reading a forecasts CSV (date, close, high, low) with
 * the bars loader's table reader (csv.c): the same header names, dates,
 * numbers, ordering and duplicate rules, and messages that name the file,
 * line and field. Only the bar value rules differ: a forecast may be a
 * negative change, and a self-contradicting triple is the backtest's to
 * correct and count, not an input error.
 */
#include <stdlib.h>

#include "data_internal.h"

static ms_status table_to_forecasts(ms_forecasts **out, const ms_csv_table *table,
                                    ms_forecast_units units, const char *source_name)
{
    ms_forecasts *f = NULL;
    ms_status status = ms_forecasts_alloc(&f, table->count, units, source_name);
    for (size_t i = 0; i < table->count && status == MS_OK; i++) {
        const ms_csv_row *row = &table->rows[i];
        ms_forecasts_set(f, i, row->timestamp, row->line, row->bar.values[MS_COL_CLOSE],
                         row->bar.values[MS_COL_HIGH], row->bar.values[MS_COL_LOW]);
    }
    if (status == MS_OK)
        status = ms_forecasts_check_values(f);
    if (status != MS_OK) {
        ms_forecasts_free(f);
        return status;
    }
    *out = f;
    return MS_OK;
}

MS_API ms_status ms_forecasts_parse_csv(ms_forecasts **out, const char *text, size_t len,
                                        const char *source_name, ms_forecast_units units)
{
    if (source_name == NULL)
        source_name = "(csv text)";
    if (out == NULL || (text == NULL && len > 0))
        return ms_error(MS_ERR_INVALID_ARG, "%s: out or text is NULL", source_name);
    *out = NULL;
    unsigned roles = MS_CSV_ROLE(MS_CSV_DATE) | MS_CSV_ROLE(MS_COL_CLOSE) |
                     MS_CSV_ROLE(MS_COL_HIGH) | MS_CSV_ROLE(MS_COL_LOW);
    ms_csv_table table;
    ms_status status = ms_csv_read_table(&table, text, len, source_name, roles, roles, NULL);
    if (status == MS_OK)
        status = table_to_forecasts(out, &table, units, source_name);
    free(table.rows);
    return status;
}

MS_API ms_status ms_forecasts_load_csv(ms_forecasts **out, const char *path,
                                       ms_forecast_units units)
{
    if (out == NULL || path == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_forecasts_load_csv: out or path is NULL");
    *out = NULL;
    char *text = NULL;
    size_t len = 0;
    ms_status status = ms_csv_read_file(path, &text, &len);
    if (status == MS_OK)
        status = ms_forecasts_parse_csv(out, text, len, path, units);
    free(text);
    return status;
}
