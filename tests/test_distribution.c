/*
 * test_distribution.c - the Student-t and mixture math against reference
 * values (computed with mpmath at 40 digits), and the samplers and sample
 * statistics against their analytic counterparts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_internal.h"
#include "model/model_internal.h"

/* Distribution functions are accurate to a few ulps of their result; 1e-12
 * relative leaves three orders of magnitude of margin. */
#define MATH_TOLERANCE 1e-12

static void assert_close(double actual, double expected, double relative)
{
    double allowed = relative * fmax(fabs(expected), 1e-300);
    if (!(fabs(actual - expected) <= allowed))
        fail_msg("got %.17g, expected %.17g (relative tolerance %g)", actual, expected,
                 relative);
}

/* A three-component mixture with unequal weights, tails and spreads. */
static const double mix_weight[] = { 0.5, 0.3, 0.2 };
static const double mix_df[] = { 3.0, 7.0, 2.5 };
static const double mix_loc[] = { 0.1, -1.0, 2.0 };
static const double mix_scale[] = { 1.0, 0.5, 2.0 };
static const ms_mixture reference_mixture = { 3, mix_weight, mix_df, mix_loc, mix_scale };

static ms_mixture single_t(const double *df, const double *loc, const double *scale)
{
    static const double one = 1.0;
    ms_mixture single = { 1, &one, df, loc, scale };
    return single;
}

static void test_studentt_cdf_matches_reference_values(void **state)
{
    (void)state;
    assert_close(ms_studentt_cdf(1.0, 1.0), 0.75, MATH_TOLERANCE);
    assert_close(ms_studentt_cdf(3.0, 2.0), 0.93033701572057841, MATH_TOLERANCE);
    assert_close(ms_studentt_cdf(2.5, -7.0), 0.0052861847637957050, MATH_TOLERANCE);
    assert_close(ms_studentt_cdf(30.0, 0.3), 0.61687694735782359, MATH_TOLERANCE);
    assert_close(ms_studentt_cdf(1000.0, 1.5), 0.93303498058895691, MATH_TOLERANCE);
    assert_close(ms_studentt_cdf(4.0, 0.0), 0.5, MATH_TOLERANCE);
    assert_true(ms_studentt_cdf(5.0, -INFINITY) == 0.0);
    assert_true(ms_studentt_cdf(5.0, INFINITY) == 1.0);
}

static void test_studentt_pdf_matches_reference_values(void **state)
{
    (void)state;
    assert_close(ms_studentt_pdf(1.0, 0.0), 1.0 / 3.14159265358979323846, MATH_TOLERANCE);
    assert_close(ms_studentt_pdf(5.0, 1.0), 0.21967979735098057, MATH_TOLERANCE);
    assert_close(ms_studentt_pdf(4.5, -3.0), 0.018402946650727740, MATH_TOLERANCE);
}

/* Differentiating E[T; T <= z] must give z * pdf(z); a central difference
 * with step 1e-4 is accurate to about 1e-8 relative. */
static void test_studentt_partial_mean_has_derivative_z_pdf(void **state)
{
    (void)state;
    const double step = 1e-4;
    for (double z = -4.0; z <= 4.0; z += 0.7) {
        double slope = (ms_studentt_partial_mean(3.5, z + step)
                        - ms_studentt_partial_mean(3.5, z - step)) / (2.0 * step);
        assert_true(fabs(slope - z * ms_studentt_pdf(3.5, z)) < 1e-8);
    }
    assert_true(ms_studentt_partial_mean(3.5, INFINITY) == 0.0);
}

static void test_studentt_quantile_matches_reference_values(void **state)
{
    (void)state;
    double df5 = 5.0, df10 = 10.0, df1 = 1.0, df22 = 2.2, zero = 0.0, unit = 1.0;
    ms_mixture t5 = single_t(&df5, &zero, &unit);
    ms_mixture t10 = single_t(&df10, &zero, &unit);
    ms_mixture t1 = single_t(&df1, &zero, &unit);
    ms_mixture t22 = single_t(&df22, &zero, &unit);
    assert_close(ms_mixture_quantile(&t5, 0.975), 2.5705818356363155, MATH_TOLERANCE);
    assert_close(ms_mixture_quantile(&t10, 0.995), 3.1692726726169512, MATH_TOLERANCE);
    assert_close(ms_mixture_quantile(&t1, 0.75), 1.0, MATH_TOLERANCE);
    assert_close(ms_mixture_quantile(&t22, 1e-4), -51.078391850205027, MATH_TOLERANCE);
    assert_true(fabs(ms_mixture_quantile(&t5, 0.5)) < 1e-15);
}

static void test_located_scaled_quantile_is_loc_plus_scale_times_standard(void **state)
{
    (void)state;
    double df = 5.0, loc = -0.3, scale = 0.02;
    ms_mixture shifted = single_t(&df, &loc, &scale);
    assert_close(ms_mixture_quantile(&shifted, 0.975), loc + scale * 2.5705818356363155,
                 MATH_TOLERANCE);
}

static void test_mixture_quantile_matches_reference_values(void **state)
{
    (void)state;
    const double levels[] = { 0.001, 0.1, 0.5, 0.9, 0.999 };
    const double expected[] = { -13.745025297234699, -1.6380429463291334,
                                -0.23652242181498873, 2.6129216151850482,
                                17.049046833004049 };
    for (size_t i = 0; i < 5; i++)
        assert_close(ms_mixture_quantile(&reference_mixture, levels[i]), expected[i],
                     MATH_TOLERANCE);
}

/* cdf(quantile(p)) = p to double precision: 1e-14 absolute near the
 * centre, and relative to p in the lower tail. */
static void test_mixture_quantile_round_trips_through_cdf(void **state)
{
    (void)state;
    const double levels[] = { 1e-9, 1e-6, 0.01, 0.3, 0.5, 0.77, 0.99, 1.0 - 1e-6 };
    for (size_t i = 0; i < MS_ARRAY_LEN(levels); i++) {
        double x = ms_mixture_quantile(&reference_mixture, levels[i]);
        double back = ms_mixture_cdf(&reference_mixture, x);
        assert_true(fabs(back - levels[i]) <= 1e-14 + 1e-10 * levels[i]);
    }
}

static void test_mixture_mean_is_weighted_sum_of_locs(void **state)
{
    (void)state;
    assert_close(ms_mixture_mean(&reference_mixture), 0.05 - 0.3 + 0.4, MATH_TOLERANCE);
}

static void test_trimmed_mean_matches_reference_values(void **state)
{
    (void)state;
    /* mpmath: integral of x dF between the tail quantiles / (1 - 2 tail).
     * 1e-10: the closed form is exact up to the quantile solver's ~1e-13
     * and the cancellation between the partial means. */
    assert_close(ms_mixture_trimmed_mean(&reference_mixture, 0.1), -0.044736412182667469,
                 1e-10);
    assert_close(ms_mixture_trimmed_mean(&reference_mixture, 0.25), -0.17351423394448235,
                 1e-10);
}

static void test_trimmed_mean_of_symmetric_mixture_is_its_centre(void **state)
{
    (void)state;
    const double weight[] = { 0.25, 0.5, 0.25 };
    const double df[] = { 4.0, 3.0, 4.0 };
    const double loc[] = { -0.5, 1.5, 3.5 };
    const double scale[] = { 0.7, 2.0, 0.7 };
    ms_mixture symmetric = { 3, weight, df, loc, scale };
    /* 1e-10, as for the reference values; near tail 0.5 the midpoint rule
     * of ms_mixture_trimmed_mean takes over. */
    const double tails[] = { 0.0, 0.05, 0.1, 0.25, 0.4, 0.49, 0.5 - 1e-9, 0.5 - 1e-15 };
    for (size_t i = 0; i < MS_ARRAY_LEN(tails); i++)
        assert_true(fabs(ms_mixture_trimmed_mean(&symmetric, tails[i]) - 1.5) < 1e-10);
}

static void test_trimmed_mean_without_tail_is_the_mean(void **state)
{
    (void)state;
    assert_true(ms_mixture_trimmed_mean(&reference_mixture, 0.0)
                == ms_mixture_mean(&reference_mixture));
}

static void test_rng_streams_repeat_by_seed_and_differ_by_stream(void **state)
{
    (void)state;
    ms_rng first, again, other_stream, other_seed;
    ms_rng_init(&first, 42, 0);
    ms_rng_init(&again, 42, 0);
    ms_rng_init(&other_stream, 42, 1);
    ms_rng_init(&other_seed, 43, 0);
    for (int i = 0; i < 100; i++) {
        uint64_t value = ms_rng_next(&first);
        assert_true(value == ms_rng_next(&again));
        assert_true(value != ms_rng_next(&other_stream));
        assert_true(value != ms_rng_next(&other_seed));
    }
}

/* Sample mean and variance of n draws within 5 standard errors: the
 * standard error of the mean is sd / sqrt(n), that of the variance about
 * sqrt((mu4 - sigma^4) / n); the gamma's fourth central moment is
 * 3 k^2 + 6 k. With fixed seeds these either always pass or always fail. */
static void check_gamma_moments(double shape)
{
    enum { draws = 100000 };
    ms_rng rng;
    ms_rng_init(&rng, 7, 0);
    double sum = 0.0, squares = 0.0;
    for (int i = 0; i < draws; i++) {
        double value = ms_rng_gamma(&rng, shape);
        assert_true(value > 0.0);
        sum += value;
        squares += value * value;
    }
    double mean = sum / draws, variance = squares / draws - mean * mean;
    double mean_error = sqrt(shape / draws);
    double variance_error = sqrt((3.0 * shape * shape + 6.0 * shape - shape * shape) / draws);
    assert_true(fabs(mean - shape) < 5.0 * mean_error);
    assert_true(fabs(variance - shape) < 5.0 * variance_error);
}

static void test_gamma_samples_have_the_shape_as_mean_and_variance(void **state)
{
    (void)state;
    check_gamma_moments(0.7);
    check_gamma_moments(2.5);
    check_gamma_moments(12.0);
}

static void test_normal_samples_are_standard(void **state)
{
    (void)state;
    enum { draws = 100000 };
    ms_rng rng;
    ms_rng_init(&rng, 11, 3);
    double sum = 0.0, squares = 0.0;
    for (int i = 0; i < draws; i++) {
        double value = ms_rng_normal(&rng);
        sum += value;
        squares += value * value;
    }
    /* Standard errors: 1/sqrt(n) for the mean, sqrt(2/n) for the variance. */
    assert_true(fabs(sum / draws) < 5.0 / sqrt(draws));
    assert_true(fabs(squares / draws - 1.0) < 5.0 * sqrt(2.0 / draws));
}

/* 100000 mixture draws: mean within 5 standard errors (sd / sqrt(n), the
 * mixture variance being sum w (scale^2 df / (df - 2) + loc^2) - mean^2),
 * quantiles within 5 standard errors sqrt(p (1 - p) / n) / pdf(q). */
static void test_mixture_samples_match_analytic_mean_and_quantiles(void **state)
{
    (void)state;
    enum { draws = 100000 };
    const double weight[] = { 0.6, 0.4 };
    const double df[] = { 5.0, 8.0 };
    const double loc[] = { 0.2, -0.5 };
    const double scale[] = { 1.0, 0.4 };
    ms_mixture mixture = { 2, weight, df, loc, scale };
    double cumulative[2];
    ms_mixture_cumulative(&mixture, cumulative);
    double *values = malloc(draws * sizeof(double));
    ms_rng rng;
    ms_rng_init(&rng, 2024, 0);
    for (int i = 0; i < draws; i++)
        values[i] = ms_mixture_sample(&mixture, cumulative, &rng);
    double mean = ms_mixture_mean(&mixture), second = 0.0;
    for (int k = 0; k < 2; k++)
        second += weight[k] * (scale[k] * scale[k] * df[k] / (df[k] - 2.0) + loc[k] * loc[k]);
    double sd = sqrt(second - mean * mean);
    assert_true(fabs(ms_values_mean(values, draws) - mean) < 5.0 * sd / sqrt(draws));
    ms_sort_doubles(values, draws);
    const double levels[] = { 0.05, 0.5, 0.95 };
    for (int i = 0; i < 3; i++) {
        double q = ms_mixture_quantile(&mixture, levels[i]);
        double error = sqrt(levels[i] * (1.0 - levels[i]) / draws) / ms_mixture_pdf(&mixture, q);
        assert_true(fabs(ms_sorted_quantile(values, draws, levels[i]) - q) < 5.0 * error);
    }
    free(values);
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void test_sort_doubles_agrees_with_qsort(void **state)
{
    (void)state;
    const size_t sizes[] = { 0, 1, 2, 3, 16, 17, 100, 10007 };
    ms_rng rng;
    ms_rng_init(&rng, 5, 0);
    for (size_t i = 0; i < MS_ARRAY_LEN(sizes); i++) {
        size_t n = sizes[i];
        double *mine = malloc((n + 1) * sizeof(double));
        double *theirs = malloc((n + 1) * sizeof(double));
        for (size_t j = 0; j < n; j++) /* few distinct values: many duplicates */
            mine[j] = theirs[j] = floor(ms_rng_uniform(&rng) * 20.0) - 10.0;
        ms_sort_doubles(mine, n);
        qsort(theirs, n, sizeof(double), compare_doubles);
        assert_memory_equal(mine, theirs, n * sizeof(double));
        free(mine);
        free(theirs);
    }
}

static void test_sorted_quantile_interpolates_like_numpy(void **state)
{
    (void)state;
    const double four[] = { 1.0, 2.0, 3.0, 4.0 };
    const double five[] = { 1.0, 1.0, 3.0, 4.0, 5.0 };
    /* 1e-15: one interpolation, one rounding */
    /* numpy.quantile([1, 2, 3, 4], 0.25) = 1.75; ([1, 1, 3, 4, 5], 0.9) = 4.6 */
    assert_close(ms_sorted_quantile(four, 4, 0.25), 1.75, 1e-15);
    assert_close(ms_sorted_quantile(five, 5, 0.9), 4.6, 1e-15);
    assert_true(ms_sorted_quantile(five, 5, 0.5) == 3.0);
    assert_true(ms_sorted_quantile(four, 1, 0.7) == 1.0);
}

static void test_sorted_trimmed_mean_cuts_like_scipy(void **state)
{
    (void)state;
    const double ten[] = { -100.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 900.0 };
    /* 1e-15: sums of a few small integers are exact.
     * scipy.stats.trim_mean(ten, 0.1) drops 1 per tail: mean of 1..8 = 4.5;
     * 0.15 still drops int(1.5) = 1; 0.0 drops nothing. */
    assert_close(ms_sorted_trimmed_mean(ten, 10, 0.1), 4.5, 1e-15);
    assert_close(ms_sorted_trimmed_mean(ten, 10, 0.15), 4.5, 1e-15);
    assert_close(ms_sorted_trimmed_mean(ten, 10, 0.0), 83.6, 1e-15);
    assert_close(ms_sorted_trimmed_mean(ten, 10, 0.2), 4.5, 1e-15);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_studentt_cdf_matches_reference_values),
        cmocka_unit_test(test_studentt_pdf_matches_reference_values),
        cmocka_unit_test(test_studentt_partial_mean_has_derivative_z_pdf),
        cmocka_unit_test(test_studentt_quantile_matches_reference_values),
        cmocka_unit_test(test_located_scaled_quantile_is_loc_plus_scale_times_standard),
        cmocka_unit_test(test_mixture_quantile_matches_reference_values),
        cmocka_unit_test(test_mixture_quantile_round_trips_through_cdf),
        cmocka_unit_test(test_mixture_mean_is_weighted_sum_of_locs),
        cmocka_unit_test(test_trimmed_mean_matches_reference_values),
        cmocka_unit_test(test_trimmed_mean_of_symmetric_mixture_is_its_centre),
        cmocka_unit_test(test_trimmed_mean_without_tail_is_the_mean),
        cmocka_unit_test(test_rng_streams_repeat_by_seed_and_differ_by_stream),
        cmocka_unit_test(test_gamma_samples_have_the_shape_as_mean_and_variance),
        cmocka_unit_test(test_normal_samples_are_standard),
        cmocka_unit_test(test_mixture_samples_match_analytic_mean_and_quantiles),
        cmocka_unit_test(test_sort_doubles_agrees_with_qsort),
        cmocka_unit_test(test_sorted_quantile_interpolates_like_numpy),
        cmocka_unit_test(test_sorted_trimmed_mean_cuts_like_scipy),
    };
    return cmocka_run_group_tests_name("distribution", tests, NULL, NULL);
}
