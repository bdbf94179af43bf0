/*
 * test_torch_plugin.c - start-up without libtorch (lib/model/plugin/): the
 * CLI and libmarketsim.so do not depend on libtorch, `--version` and a
 * baseline analysis never map it, a Toto forecast loads the plugin, and a
 * missing plugin is an error naming where it was looked for. Runs the
 * built CLI ($MARKETSIM_BIN, else build/bin/marketsim) and its library
 * (../lib beside it), with LD_DEBUG=libs telling what the dynamic linker
 * loaded.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/cli_run.h"

static const char *cli_path(void)
{
    const char *bin = getenv("MARKETSIM_BIN");
    return bin != NULL ? bin : "build/bin/marketsim";
}

/* "<folder of the CLI>/../lib/<name>" */
static void beside_cli(const char *name, char *path, size_t size)
{
    const char *cli = cli_path();
    const char *slash = strrchr(cli, '/');
    int folder = slash != NULL ? (int)(slash - cli) : 1;
    snprintf(path, size, "%.*s/../lib/%s", folder, slash != NULL ? cli : ".", name);
}

/* Everything `command` printed (stdout and stderr), malloc'ed. */
static char *command_output(const char *command)
{
    char line[4096];
    snprintf(line, sizeof line, "%s 2>&1", command);
    FILE *pipe = popen(line, "r");
    assert_non_null(pipe);
    size_t size = 0, capacity = 1 << 16;
    char *text = malloc(capacity);
    size_t n;
    while ((n = fread(text + size, 1, capacity - size - 1, pipe)) > 0) {
        size += n;
        if (capacity - size < 2)
            text = realloc(text, capacity *= 2);
    }
    text[size] = '\0';
    assert_int_equal(pclose(pipe), 0);
    return text;
}

static void assert_no_libtorch_dependency(const char *binary)
{
    char command[1024];
    snprintf(command, sizeof command, "ldd %s", binary);
    char *listing = command_output(command);
    assert_non_null(strstr(listing, "libjansson"));   /* ldd did list dependencies */
    if (strstr(listing, "libtorch") != NULL || strstr(listing, "libc10") != NULL)
        fail_msg("%s depends on libtorch:\n%s", binary, listing);
    free(listing);
}

static void test_the_cli_and_the_shared_library_do_not_depend_on_libtorch(void **state)
{
    (void)state;
    char library[1024];
    beside_cli("libmarketsim.so", library, sizeof library);
    assert_no_libtorch_dependency(cli_path());
    assert_no_libtorch_dependency(library);
}

static void assert_loaded_no_libtorch(const cli_run_result *run)
{
    assert_non_null(strstr(run->err, "calling init:"));   /* LD_DEBUG reported */
    if (strstr(run->err, "libtorch") != NULL || strstr(run->err, "libmarketsim-torch") != NULL)
        fail_msg("libtorch was loaded");
}

static void test_version_loads_no_libtorch(void **state)
{
    (void)state;
    cli_run_result run = cli_run("LD_DEBUG=libs", "--version", NULL);
    assert_int_equal(run.exit_code, 0);
    assert_loaded_no_libtorch(&run);
    cli_run_release(&run);
}

static void test_a_baseline_analysis_loads_no_libtorch(void **state)
{
    (void)state;
    cli_run_result run = cli_run("LD_DEBUG=libs", "analyze", "--data", cli_fixtures_uri(),
                                 "--symbols", "GOOD", "--simulations", "3", "--cache", "off", NULL);
    assert_int_equal(run.exit_code, 0);
    assert_non_null(strstr(run.out, "GOOD"));
    assert_loaded_no_libtorch(&run);
    cli_run_release(&run);
}

static const char *toto_tiny(void)
{
    static char dir[1024];
    const char *root = getenv("MARKETSIM_SOURCE_DIR");
    snprintf(dir, sizeof dir, "%s/tests/fixtures/toto-tiny", root != NULL ? root : ".");
    return dir;
}

static void test_a_toto_forecast_loads_the_plugin(void **state)
{
    (void)state;
    cli_run_result run = cli_run("LD_DEBUG=libs", "forecast", "--data", "synthetic", "--symbol",
                                 "AAPL", "--horizon", "2", "--model", toto_tiny(), "--json", NULL);
    assert_int_equal(run.exit_code, 0);
    assert_non_null(strstr(run.out, "\"mean\""));
    assert_non_null(strstr(run.err, "marketsim/libmarketsim-torch.so"));
    assert_non_null(strstr(run.err, "libtorch"));
    cli_run_release(&run);
}

static void test_a_missing_plugin_is_an_error_naming_its_path(void **state)
{
    (void)state;
    cli_run_result run = cli_run("MARKETSIM_TORCH_PLUGIN=/nonexistent/libmarketsim-torch.so",
                                 "forecast", "--data", "synthetic", "--symbol", "AAPL",
                                 "--horizon", "2", "--model", toto_tiny(), NULL);
    assert_int_not_equal(run.exit_code, 0);
    assert_non_null(strstr(run.err, "libtorch plugin /nonexistent/libmarketsim-torch.so"));
    cli_run_release(&run);
}

static void test_a_missing_plugin_leaves_the_baseline_model_working(void **state)
{
    (void)state;
    cli_run_result run = cli_run("MARKETSIM_TORCH_PLUGIN=/nonexistent/libmarketsim-torch.so",
                                 "forecast", "--data", "synthetic", "--symbol", "AAPL",
                                 "--horizon", "2", NULL);
    assert_int_equal(run.exit_code, 0);
    assert_string_equal(run.err, "");
    cli_run_release(&run);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_cli_and_the_shared_library_do_not_depend_on_libtorch),
        cmocka_unit_test(test_version_loads_no_libtorch),
        cmocka_unit_test(test_a_baseline_analysis_loads_no_libtorch),
        cmocka_unit_test(test_a_toto_forecast_loads_the_plugin),
        cmocka_unit_test(test_a_missing_plugin_is_an_error_naming_its_path),
        cmocka_unit_test(test_a_missing_plugin_leaves_the_baseline_model_working),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
