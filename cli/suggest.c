/*
 * suggest.c - "did you mean" for the CLI: the known name closest to a typo
 * (a command, a flag, a configuration key or section), by edit distance.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Names longer than this are never typos of a flag or a command. */
#define LONGEST_NAME 64

/* Levenshtein distance (insertions, deletions, substitutions), one row at a
 * time; long words count as far from everything. */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > LONGEST_NAME || lb > LONGEST_NAME)
        return (size_t)-1;
    size_t row[LONGEST_NAME + 1];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t above = row[j];
            size_t best = diagonal + (a[i - 1] != b[j - 1]);
            best = above + 1 < best ? above + 1 : best;
            best = row[j - 1] + 1 < best ? row[j - 1] + 1 : best;
            diagonal = above;
            row[j] = best;
        }
    }
    return row[lb];
}

const char *cli_closest(const char *word, const char *const *names, size_t count)
{
    /* A third of the word, at least one edit and at most three: close
     * enough to be a slip, far enough from unrelated names. */
    size_t allowed = strlen(word) / 3;
    allowed = allowed < 1 ? 1 : allowed > 3 ? 3 : allowed;
    const char *closest = NULL;
    size_t best = allowed + 1;
    for (size_t i = 0; i < count; i++) {
        size_t d = distance(word, names[i]);
        if (d < best) {
            best = d;
            closest = names[i];
        }
    }
    return closest;
}

const char *cli_closest_option(const char *word, const struct option *options)
{
    const char *names[256];
    size_t count = 0;
    for (; options[count].name != NULL && count < 256; count++)
        names[count] = options[count].name;
    return cli_closest(word, names, count);
}
