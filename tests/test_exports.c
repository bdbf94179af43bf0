/*
 * test_exports.c - the shared objects' public surface: libmarketsim.so
 * exports the functions its public headers declare (ms_*, through the
 * version script lib/libmarketsim.map) and nothing else, the libtorch
 * plugin exports its entry point only, and the test-only tracing code
 * (lib/model/toto/toto_trace.cpp) is in neither: the tests reach it through
 * the static archive. Reads the objects beside the CLI ($MARKETSIM_BIN,
 * else build/bin/marketsim) with binutils' nm, the headers under
 * $MARKETSIM_SOURCE_DIR (else .).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "<folder of the CLI>/../lib/<name>" */
static void beside_cli(const char *name, char *path, size_t size)
{
    const char *cli = getenv("MARKETSIM_BIN");
    if (cli == NULL)
        cli = "build/bin/marketsim";
    const char *slash = strrchr(cli, '/');
    int folder = slash != NULL ? (int)(slash - cli) : 1;
    snprintf(path, size, "%.*s/../lib/%s", folder, slash != NULL ? cli : ".", name);
}

typedef struct symbols {
    size_t count;
    char **names;
} symbols;

/* The symbol names `nm <options> <object>` lists (its last column). */
static symbols list_symbols(const char *options, const char *object)
{
    char command[1024];
    snprintf(command, sizeof command, "nm %s %s", options, object);
    FILE *pipe = popen(command, "r");
    assert_non_null(pipe);
    symbols list = { 0, NULL };
    char line[4096];
    while (fgets(line, sizeof line, pipe) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        const char *name = strrchr(line, ' ');
        list.names = realloc(list.names, (list.count + 1) * sizeof *list.names);
        list.names[list.count++] = strdup(name != NULL ? name + 1 : line);
    }
    assert_int_equal(pclose(pipe), 0);
    assert_true(list.count > 0);
    return list;
}

static void release_symbols(symbols *list)
{
    for (size_t i = 0; i < list->count; i++)
        free(list->names[i]);
    free(list->names);
}

/* Every public header's text, concatenated, malloc'ed. */
static char *public_headers(void)
{
    const char *root = getenv("MARKETSIM_SOURCE_DIR");
    char pattern[1024];
    snprintf(pattern, sizeof pattern, "%s/include/marketsim/*.h", root != NULL ? root : ".");
    glob_t found;
    assert_int_equal(glob(pattern, 0, NULL, &found), 0);
    size_t size = 0;
    char *text = calloc(1, 1);
    for (size_t i = 0; i < found.gl_pathc; i++) {
        FILE *f = fopen(found.gl_pathv[i], "r");
        assert_non_null(f);
        char block[8192];
        size_t n;
        while ((n = fread(block, 1, sizeof block, f)) > 0) {
            text = realloc(text, size + n + 1);
            memcpy(text + size, block, n);
            text[size += n] = '\0';
        }
        fclose(f);
    }
    globfree(&found);
    return text;
}

static void test_the_library_exports_only_ms_functions_its_public_headers_declare(void **state)
{
    (void)state;
    char library[1024];
    beside_cli("libmarketsim.so", library, sizeof library);
    symbols exported = list_symbols("-D --defined-only", library);
    char *headers = public_headers();
    for (size_t i = 0; i < exported.count; i++) {
        const char *name = exported.names[i];
        char declared[4200];
        snprintf(declared, sizeof declared, "%s(", name);
        if (strncmp(name, "ms_", 3) != 0 || strstr(headers, declared) == NULL)
            fail_msg("libmarketsim.so exports %s, which no public header declares", name);
    }
    free(headers);
    release_symbols(&exported);
}

static void test_the_plugin_exports_its_entry_point_only(void **state)
{
    (void)state;
    char plugin[1024];
    beside_cli("marketsim/libmarketsim-torch.so", plugin, sizeof plugin);
    symbols exported = list_symbols("-D --defined-only", plugin);
    assert_int_equal(exported.count, 1);
    assert_string_equal(exported.names[0], "ms_torch_plugin_entry");
    release_symbols(&exported);
}

static void assert_no_tracing_code(const char *object)
{
    symbols all = list_symbols("", object);
    for (size_t i = 0; i < all.count; i++)
        if (strncmp(all.names[i], "ms_toto_trace", 13) == 0)
            fail_msg("%s holds the test-only %s", object, all.names[i]);
    release_symbols(&all);
}

static void test_the_shared_objects_hold_no_test_only_tracing_code(void **state)
{
    (void)state;
    char library[1024], plugin[1024];
    beside_cli("libmarketsim.so", library, sizeof library);
    beside_cli("marketsim/libmarketsim-torch.so", plugin, sizeof plugin);
    assert_no_tracing_code(library);
    assert_no_tracing_code(plugin);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_library_exports_only_ms_functions_its_public_headers_declare),
        cmocka_unit_test(test_the_plugin_exports_its_entry_point_only),
        cmocka_unit_test(test_the_shared_objects_hold_no_test_only_tracing_code),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
