/*
 * samples.c - statistics of forecast samples, computed the way the
 * reference system's numpy/scipy calls did: quantiles by linear
 * interpolation between order statistics (numpy.quantile's default) and
 * trimmed means that cut floor(tail * n) values from each end
 * (scipy.stats.trim_mean). Also the sort they need.
 */
#include <math.h>

#include "model/model_internal.h"

/* Below this size insertion sort beats further partitioning. */
#define INSERTION_SORT_MAX 16

static void insertion_sort(double *values, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        double value = values[i];
        size_t j = i;
        for (; j > 0 && values[j - 1] > value; j--)
            values[j] = values[j - 1];
        values[j] = value;
    }
}

static void swap(double *a, double *b)
{
    double held = *a;
    *a = *b;
    *b = held;
}

/* Orders the first, middle and last values and returns the middle one:
 * with the ends as sentinels, Hoare's scans below stay inside the array and
 * both parts come out non-empty. */
static double median_of_three(double *values, size_t n)
{
    double *first = values, *middle = values + n / 2, *last = values + n - 1;
    if (*middle < *first)
        swap(middle, first);
    if (*last < *middle) {
        swap(last, middle);
        if (*middle < *first)
            swap(middle, first);
    }
    return *middle;
}

/* Hoare partition around `pivot`: returns the size of the left part, whose
 * values are all <= pivot, with every value right of it >= pivot. */
static size_t partition(double *values, size_t n, double pivot)
{
    size_t i = 0, j = n - 1;
    for (;;) {
        while (values[i] < pivot)
            i++;
        while (values[j] > pivot)
            j--;
        if (i >= j)
            return j + 1;
        swap(&values[i], &values[j]);
        i++;
        j--;
    }
}

/* Quicksort on doubles without qsort's per-comparison call: sorting the
 * samples of every point is the costliest step of sample statistics. The
 * smaller part recurses, the larger loops, so the stack stays O(log n). */
void ms_sort_doubles(double *values, size_t n)
{
    while (n > INSERTION_SORT_MAX) {
        size_t left = partition(values, n, median_of_three(values, n));
        if (left < n - left) {
            ms_sort_doubles(values, left);
            values += left;
            n -= left;
        } else {
            ms_sort_doubles(values + left, n - left);
            n = left;
        }
    }
    insertion_sort(values, n);
}

/* numpy's "linear" method: virtual index level * (n - 1), then numpy's
 * _lerp, which interpolates from the nearer neighbour (from the upper one
 * when the fraction is >= 0.5) so results match it to the last bit. */
double ms_sorted_quantile(const double *sorted, size_t n, double level)
{
    double index = level * (double)(n - 1);
    double below = floor(index);
    size_t lower = (size_t)below;
    size_t upper = lower + 1 < n ? lower + 1 : n - 1;
    double fraction = index - below;
    double difference = sorted[upper] - sorted[lower];
    if (fraction >= 0.5)
        return sorted[upper] - difference * (1.0 - fraction);
    return sorted[lower] + difference * fraction;
}

double ms_sorted_trimmed_mean(const double *sorted, size_t n, double tail)
{
    size_t cut = (size_t)(tail * (double)n); /* floor, as Python's int() */
    return ms_values_mean(sorted + cut, n - 2 * cut);
}

double ms_values_mean(const double *values, size_t n)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += values[i];
    return sum / (double)n;
}
