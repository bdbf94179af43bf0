/*
 * suggest.c - "did you mean" for the CLI: the known name closest to a typo
 * (a command, a flag, a configuration key or section), by edit distance.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Names longer than this are never typos of a flag or a command. */
#define LONGEST_NAME 64

/* Edit distance with adjacent transpositions (optimal string alignment):
 * insertions, deletions, substitutions and two neighbours swapped each
 * cost one, since "--jsno" is one slip of the fingers, not two. Three rows
 * at a time; long words count as far from everything. */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > LONGEST_NAME || lb > LONGEST_NAME)
        return (size_t)-1;
    size_t rows[3][LONGEST_NAME + 1];
    size_t *before = rows[0], *previous = rows[1], *current = rows[2];
    for (size_t j = 0; j <= lb; j++)
        previous[j] = j;
    for (size_t i = 1; i <= la; i++) {
        current[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t best = previous[j - 1] + (a[i - 1] != b[j - 1]);
            best = previous[j] + 1 < best ? previous[j] + 1 : best;
            best = current[j - 1] + 1 < best ? current[j - 1] + 1 : best;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                before[j - 2] + 1 < best)
                best = before[j - 2] + 1;
            current[j] = best;
        }
        size_t *oldest = before;
        before = previous;
        previous = current;
        current = oldest;
    }
    return previous[lb];
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
