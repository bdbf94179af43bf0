/*
 * fills_internal.h - building an ms_fills list (fill_list.c): a broker's fills
 * operation appends what it read, fill_list.c orders the list and works out
 * each fill's position and realised P&L; the text and JSON writers
 * (fills_text.c) are shared with the trade cycle's summary.
 */
#ifndef MS_FILLS_INTERNAL_H
#define MS_FILLS_INTERNAL_H

#include <stdio.h>

#include "broker_internal.h"

/* Appends a copy of `fill`. Errors: MS_ERR_NOMEM. */
ms_status ms_fills_append(ms_fills *fills, const ms_fill *fill);

/* Writes into out[size] what a caller knows of a fill, appended to its
 * line (e.g. whose order it was); "" for nothing. */
typedef void (*ms_fill_note)(void *context, const ms_fill *fill, char *out, size_t size);

/* Writes the fills at or after `since` ("no fills" when there are none),
 * each with `note`'s words when it is not NULL, and, with `realized`, the
 * realised P&L per symbol (or that it is not known), each line within 100
 * columns and indented by `indent` spaces. */
void ms_fills_write_text(FILE *f, const ms_fills *fills, int64_t since, int indent, bool realized,
                         ms_fill_note note, void *context);

/* The fills at or after `since` as a JSON array (ms_fills_to_json's
 * "fills"); NULL when memory runs out. */
struct json_t *ms_fills_json_array(const ms_fills *fills, int64_t since);

#endif
