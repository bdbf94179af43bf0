/*
 * report_file.c - writing a report to a file the user named (--html): the
 * whole text goes to a temporary file in the same directory, which is then
 * renamed over the target, so the file is either the old one or the new
 * one, never a half-written page.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static int file_error(const char *command, const char *path, const char *what)
{
    fprintf(stderr, "marketsim %s: %s '%s': %s\n", command, what, path, strerror(errno));
    return CLI_EXIT_FAILED;
}

/* Writes `text` to a fresh temporary file named in `temp_path` (a mkstemp
 * template, filled in), readable by others like any report. */
static int write_temp(const char *command, char *temp_path, const char *text)
{
    int fd = mkstemp(temp_path);
    if (fd < 0)
        return file_error(command, temp_path, "cannot create");
    FILE *f = fdopen(fd, "w");
    if (f == NULL) {
        close(fd);
        unlink(temp_path);
        return file_error(command, temp_path, "cannot open");
    }
    int ok = fchmod(fd, 0644) == 0 && fputs(text, f) >= 0;
    ok = fclose(f) == 0 && ok;
    if (!ok) {
        int code = file_error(command, temp_path, "cannot write");
        unlink(temp_path);
        return code;
    }
    return CLI_EXIT_OK;
}

int cli_write_html_report(const char *command, const char *path, const ms_report *report)
{
    char *html = NULL;
    ms_status status = ms_report_to_html(report, &html);
    if (status != MS_OK)
        return cli_setup_error(command, "writing the HTML report", status);
    size_t size = strlen(path) + sizeof ".tmp.XXXXXX";
    char *temp_path = malloc(size);
    int code = CLI_EXIT_FAILED;
    if (temp_path == NULL) {
        fprintf(stderr, "marketsim %s: out of memory\n", command);
    } else {
        snprintf(temp_path, size, "%s.tmp.XXXXXX", path);
        code = write_temp(command, temp_path, html);
        if (code == CLI_EXIT_OK && rename(temp_path, path) != 0) {
            code = file_error(command, path, "cannot replace");
            unlink(temp_path);
        }
    }
    free(temp_path);
    ms_free(html);
    return code;
}
