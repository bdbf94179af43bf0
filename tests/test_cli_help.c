/*
 * test_cli_help.c - the help the commands print comes from their flag
 * tables (cli/help.c): every flag a command's --help lists is one the
 * command accepts, the shared lists (analysis, strategy, model flags)
 * appear in each command that takes them, and cache, config and account
 * list their own tables' flags.
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

/* Runs `marketsim COMMAND --FLAG` for every "--FLAG" that starts an option
 * line of the command's help: none may be refused as unknown. Returns how
 * many flags were tried. */
static size_t check_listed_flags_are_accepted(const char *command)
{
    cli_run_result help = cli_run(NULL, command, "--help", NULL);
    assert_int_equal(help.exit_code, 0);
    size_t tried = 0;
    for (const char *line = help.out; line != NULL && *line != '\0';) {
        const char *end = strchr(line, '\n');
        char flag[64];
        if (sscanf(line, "  --%63[a-z0-9-]", flag) == 1 && strcmp(flag, "help") != 0) {
            char argument[80];
            snprintf(argument, sizeof argument, "--%s", flag);
            cli_run_result run = cli_run(NULL, command, argument, NULL);
            if (strstr(run.err, "unknown option") != NULL)
                fail_msg("%s --help lists %s, which it refuses: %s", command, argument, run.err);
            cli_run_release(&run);
            tried++;
        }
        line = end != NULL ? end + 1 : NULL;
    }
    cli_run_release(&help);
    return tried;
}

static void test_every_flag_analyze_lists_is_accepted(void **state)
{
    (void)state;
    assert_true(check_listed_flags_are_accepted("analyze") > 30);
}

static void test_every_flag_trade_lists_is_accepted(void **state)
{
    (void)state;
    assert_true(check_listed_flags_are_accepted("trade") > 40);
}

static void test_every_flag_backtest_lists_is_accepted(void **state)
{
    (void)state;
    assert_true(check_listed_flags_are_accepted("backtest") > 10);
}

#define HELP_LINE "\n  -h, --help             this help\n"

static void assert_help_lists(const char *command, const char *const *lines)
{
    cli_run_result help = cli_run(NULL, command, "--help", NULL);
    assert_int_equal(help.exit_code, 0);
    for (size_t i = 0; lines[i] != NULL; i++)
        if (strstr(help.out, lines[i]) == NULL)
            fail_msg("%s --help lacks '%s':\n%s", command, lines[i], help.out);
    cli_run_release(&help);
}

static void test_shared_flag_lists_reach_every_command_that_takes_them(void **state)
{
    (void)state;
    static const char *const model[] = { "\n  --model NAME           baseline (default)",
                                         "\n  --precision P          fp32", NULL };
    static const char *const strategy[] = { "\n  --simulations N        walk-forward",
                                            "\n  --reference            the original's rules",
                                            NULL };
    static const char *const help[] = { HELP_LINE, NULL };
    const char *const commands[] = { "analyze", "trade", "backtest", "forecast" };
    for (size_t i = 0; i < 4; i++) {
        assert_help_lists(commands[i], help);
        if (strcmp(commands[i], "backtest") != 0)
            assert_help_lists(commands[i], model);
        if (strcmp(commands[i], "forecast") != 0)
            assert_help_lists(commands[i], strategy);
    }
}

/* The commands with a few flags of their own: each option line, -h
 * included, comes from the command's table. */
static void test_cache_config_and_account_help_comes_from_their_flag_tables(void **state)
{
    (void)state;
    static const char *const cache[] = {
        "usage: marketsim cache info [--cache PATH]\n",
        "\n  --cache PATH           the cache file (default", HELP_LINE, NULL };
    static const char *const config[] = {
        "usage: marketsim config show COMMAND [--config FILE] [flags]\n",
        "\n  --config FILE          the configuration file (default:\n", HELP_LINE,
        "  [analyze]\n  symbols = ARGX,KGC\n", NULL };
    static const char *const account[] = {
        "\n  --broker alpaca|sim:PATH  the broker (default: alpaca",
        "\n  --since YYYY-MM-DD     fills and realised P&L",
        "\n  --json                 one JSON document", HELP_LINE, NULL };
    assert_help_lists("cache", cache);
    assert_help_lists("config", config);
    assert_help_lists("account", account);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_flag_analyze_lists_is_accepted),
        cmocka_unit_test(test_every_flag_trade_lists_is_accepted),
        cmocka_unit_test(test_every_flag_backtest_lists_is_accepted),
        cmocka_unit_test(test_shared_flag_lists_reach_every_command_that_takes_them),
        cmocka_unit_test(test_cache_config_and_account_help_comes_from_their_flag_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
