/*
 * sim_journal.c - the simulated broker's journal file: one JSON record per
 * line, appended with one write() and an fsync before the change is
 * acknowledged, read back whole on open.
 *
 * A crash can only tear the last line (no newline yet), and that record
 * was never acknowledged: it is cut off with a warning. Anything else that
 * is wrong is an error for the caller to report with the line number.
 *
 * Nothing is written to a file before it is known to be a journal: an
 * empty file (what a crash right after creating one leaves) becomes a new
 * journal; any other file must replay whole (its first line the account
 * record) before its torn tail is cut off. A text or binary file given as
 * `sim:PATH` by mistake is refused and left byte for byte as it was.
 */
/* F_OFD_SETLK is a GNU extension (Linux 3.15). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim_internal.h"

static ms_status io_error(const char *path, const char *what)
{
    return ms_error(MS_ERR_IO, "sim journal %s: %s: %s", path, what, strerror(errno));
}

/* A second writer of the same journal could place the same intent twice,
 * or hand out the same order id: one handle at a time. The lock belongs
 * to this open file description, not to the process (as a POSIX record
 * lock would): a second handle in the same process is refused like another
 * process, and closing one handle never releases another's lock. */
static ms_status lock_journal(int fd, const char *path)
{
    struct flock lock = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0,
                          .l_pid = 0 };
    if (fcntl(fd, F_OFD_SETLK, &lock) == 0)
        return MS_OK;
    if (errno == EACCES || errno == EAGAIN)
        return ms_error(MS_ERR_IO, "sim journal %s is in use (open in another broker handle "
                        "of this or another process)", path);
    return io_error(path, "cannot lock");
}

static ms_status read_all(int fd, const char *path, char **text, size_t *size)
{
    struct stat info;
    if (fstat(fd, &info) != 0)
        return io_error(path, "cannot stat");
    if (!S_ISREG(info.st_mode))
        return ms_error(MS_ERR_IO, "sim journal %s: not a regular file", path);
    *size = (size_t)info.st_size;
    *text = malloc(*size + 1);
    if (*text == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory reading %s", path);
    size_t done = 0;
    while (done < *size) {
        ssize_t got = pread(fd, *text + done, *size - done, (off_t)done);
        if (got <= 0)
            return got < 0 ? io_error(path, "cannot read") : ms_error(MS_ERR_IO, "sim journal %s "
                                                                      "shrank while being read", path);
        done += (size_t)got;
    }
    return MS_OK;
}

/* The length of the complete lines: up to and with the last newline. */
static size_t complete_length(const char *text, size_t size)
{
    while (size > 0 && text[size - 1] != '\n')
        size--;
    return size;
}

/* Cuts a torn last line (bytes after `complete`) off a file already
 * replayed as a journal. */
static ms_status drop_torn_tail(int fd, const char *path, const char *text, size_t complete,
                                size_t size)
{
    if (complete == size)
        return MS_OK;
    if (fd < 0) {
        MS_WARN("sim journal %s: the incomplete last line (%zu bytes) is ignored", path,
                size - complete);
        return MS_OK;
    }
    size_t lines = 1;
    for (size_t i = 0; i < complete; i++)
        lines += text[i] == '\n';
    MS_WARN("sim journal %s: line %zu is incomplete (%zu bytes, a crash mid-write): ignored",
            path, lines, size - complete);
    if (ftruncate(fd, (off_t)complete) != 0 || fsync(fd) != 0)
        return io_error(path, "cannot cut off the incomplete last line");
    return MS_OK;
}

/* A first line that does not replay means the file is no journal (or one
 * damaged from its start): say so, as the file is left as it is. */
static ms_status each_line(const char *path, const char *text, size_t size,
                           ms_status (*each)(void *context, const ms_sim_line *line), void *context)
{
    ms_sim_line line = { text, 0, 1 };
    for (size_t i = 0; i < size; i++) {
        if (text[i] != '\n')
            continue;
        line.length = (size_t)(text + i - line.text);
        ms_status status = each(context, &line);
        if (status != MS_OK && line.number == 1)
            return ms_error_wrap(status, "%s is not a marketsim sim journal (left unchanged)", path);
        if (status != MS_OK)
            return status;
        line.text = text + i + 1;
        line.number++;
    }
    return MS_OK;
}

/* Replays every complete line before anything is written: only a file
 * that replays whole (a journal) may lose its torn tail. */
static ms_status replay(ms_sim_journal *journal, int fd,
                        ms_status (*each)(void *context, const ms_sim_line *line), void *context,
                        bool *created)
{
    char *text = NULL;
    size_t size = 0;
    ms_status status = read_all(fd, journal->path, &text, &size);
    size_t complete = status == MS_OK ? complete_length(text, size) : 0;
    if (status == MS_OK && size > 0 && complete == 0)
        status = ms_error(MS_ERR_PARSE, "%s is not a marketsim sim journal (left unchanged): "
                          "%zu bytes without a complete line", journal->path, size);
    if (status == MS_OK)
        status = each_line(journal->path, text, complete, each, context);
    if (status == MS_OK)
        status = drop_torn_tail(journal->read_only ? -1 : fd, journal->path, text, complete, size);
    *created = status == MS_OK && size == 0;
    free(text);
    return status;
}

/* A read-only journal is read without a lock (a dry run may look at an
 * account a running loop holds) and never written: a missing file is a
 * new account in memory, a torn tail is skipped, not cut. */
static ms_status open_read_only(ms_sim_journal *journal,
                                ms_status (*each)(void *context, const ms_sim_line *line),
                                void *context, bool *created)
{
    int fd = open(journal->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        *created = true;
        return MS_OK;
    }
    if (fd < 0)
        return io_error(journal->path, "cannot open");
    ms_status status = replay(journal, fd, each, context, created);
    close(fd);
    return status;
}

ms_status ms_sim_journal_open(ms_sim_journal *journal, const char *path, bool read_only,
                              ms_status (*each)(void *context, const ms_sim_line *line),
                              void *context, bool *created)
{
    journal->fd = -1;
    journal->read_only = read_only;
    journal->path = ms_strdup(path);
    if (journal->path == NULL)
        return ms_error(MS_ERR_NOMEM, "out of memory opening %s", path);
    if (read_only)
        return open_read_only(journal, each, context, created);
    bool existed = access(path, F_OK) == 0;
    ms_status made = existed ? MS_OK : ms_make_directories(path, 0, 0700);
    if (made != MS_OK)
        return made;
    journal->fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (journal->fd < 0)
        return io_error(path, "cannot open");
    ms_status status = lock_journal(journal->fd, path);
    /* A new file's directory entry must be durable too, or a crash could
     * lose the whole journal. */
    if (status == MS_OK && !existed)
        status = ms_sync_parent_directory(path);
    return status == MS_OK ? replay(journal, journal->fd, each, context, created) : status;
}

ms_status ms_sim_journal_append(ms_sim_journal *journal, const json_t *record)
{
    if (journal->read_only)
        return MS_OK;
    char *text = json_dumps(record, JSON_COMPACT | JSON_SORT_KEYS);
    size_t length = text != NULL ? strlen(text) : 0;
    char *line = text != NULL ? realloc(text, length + 2) : NULL;
    if (line == NULL) {
        free(text);
        return ms_error(MS_ERR_NOMEM, "out of memory writing to %s", journal->path);
    }
    memcpy(line + length, "\n", 2);
    struct stat info;
    if (fstat(journal->fd, &info) != 0) {
        free(line);
        return io_error(journal->path, "cannot stat");
    }
    ms_status status = MS_OK;
    for (size_t done = 0; status == MS_OK && done < length + 1;) {
        ssize_t wrote = write(journal->fd, line + done, length + 1 - done);
        if (wrote < 0 && errno != EINTR)
            status = io_error(journal->path, "cannot append");
        done += wrote > 0 ? (size_t)wrote : 0;
    }
    if (status == MS_OK && fsync(journal->fd) != 0)
        status = io_error(journal->path, "cannot fsync");
    /* A failed append must not leave half a line for the next one to extend. */
    if (status != MS_OK && ftruncate(journal->fd, info.st_size) != 0)
        MS_WARN("sim journal %s: cannot undo a failed append: %s", journal->path, strerror(errno));
    free(line);
    return status;
}

void ms_sim_journal_close(ms_sim_journal *journal)
{
    if (journal->fd >= 0)
        close(journal->fd);
    journal->fd = -1;
    free(journal->path);
    journal->path = NULL;
}
