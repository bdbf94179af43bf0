/*
 * alpaca_keys.c - where the API keys come from: the options, else
 * APCA_API_KEY_ID / APCA_API_SECRET_KEY when the caller opted in to the
 * environment (from_env), else a key file ("KEY_ID\nSECRET\n") that only
 * its owner may read. Messages say which source failed and how,
 * never a key.
 *
 * Once keys are configured the process is made non-dumpable and its core-size
 * limit 0 (protect_from_dumps): a core dump would hold the keys, and so
 * would memory read by another process of the same user through ptrace.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alpaca_internal.h"

/* A key file is two short lines; anything larger is not one. */
#define KEY_FILE_MAX 4096

static bool has_text(const char *value)
{
    return value != NULL && *value != '\0';
}

/* Keys travel in HTTP headers: a control character would let a key inject
 * a header, so only printable ASCII is accepted. */
static ms_status copy_key(char *out, size_t size, const char *value, size_t len, const char *what,
                          const char *source)
{
    if (len == 0 || len >= size)
        return ms_error(MS_ERR_INVALID_ARG, "%s: the %s must be 1 to %zu characters, got %zu", source,
                        what, size - 1, len);
    for (size_t i = 0; i < len; i++)
        if (value[i] <= ' ' || value[i] > '~')
            return ms_error(MS_ERR_INVALID_ARG, "%s: the %s contains a space or control character "
                            "at position %zu", source, what, i + 1);
    memcpy(out, value, len);
    out[len] = '\0';
    return MS_OK;
}

static ms_status copy_pair(ms_alpaca_keys *out, const char *key_id, const char *secret_key,
                           const char *source)
{
    ms_status status = copy_key(out->key_id, sizeof out->key_id, key_id, strlen(key_id), "key id",
                                source);
    if (status == MS_OK)
        status = copy_key(out->secret_key, sizeof out->secret_key, secret_key, strlen(secret_key),
                          "secret key", source);
    out->present = status == MS_OK;
    return status;
}

/* MS_OK with *found false when neither half is set. */
static ms_status pair_from(ms_alpaca_keys *out, const char *key_id, const char *secret_key,
                           const char *source, bool *found)
{
    *found = has_text(key_id) || has_text(secret_key);
    if (!*found)
        return MS_OK;
    if (!has_text(key_id) || !has_text(secret_key))
        return ms_error(MS_ERR_INVALID_ARG, "%s: the %s is set but not the %s", source,
                        has_text(key_id) ? "key id" : "secret key",
                        has_text(key_id) ? "secret key" : "key id");
    return copy_pair(out, key_id, secret_key, source);
}

/* The line starting at *at without its end or surrounding blanks; moves *at
 * past it. */
static const char *next_line(char **at, size_t *len)
{
    char *line = *at + strspn(*at, " \t\r\n");
    size_t end = strcspn(line, "\r\n");
    *at = line + end;
    while (end > 0 && (line[end - 1] == ' ' || line[end - 1] == '\t'))
        end--;
    *len = end;
    return line;
}

static ms_status parse_key_file(ms_alpaca_keys *out, char *text, const char *path)
{
    size_t id_len, secret_len;
    char *at = text;
    const char *key_id = next_line(&at, &id_len);
    const char *secret_key = next_line(&at, &secret_len);
    if (id_len == 0 || secret_len == 0)
        return ms_error(MS_ERR_INVALID_ARG, "key file %s: expected the key id on its first line and "
                        "the secret key on its second", path);
    ms_status status = copy_key(out->key_id, sizeof out->key_id, key_id, id_len, "key id", path);
    if (status == MS_OK)
        status = copy_key(out->secret_key, sizeof out->secret_key, secret_key, secret_len,
                          "secret key", path);
    out->present = status == MS_OK;
    return status;
}

static const char *file_kind(mode_t mode)
{
    return S_ISFIFO(mode) ? "a FIFO" : S_ISDIR(mode) ? "a directory" : S_ISSOCK(mode) ? "a socket"
           : S_ISCHR(mode) || S_ISBLK(mode) ? "a device" : "not a regular file";
}

static ms_status check_key_file(int fd, const char *path)
{
    struct stat info;
    if (fstat(fd, &info) != 0)
        return ms_error(MS_ERR_IO, "key file %s: %s", path, strerror(errno));
    if (!S_ISREG(info.st_mode))
        return ms_error(MS_ERR_INVALID_ARG, "key file %s is %s, not a regular file", path,
                        file_kind(info.st_mode));
    if ((info.st_mode & 077) != 0)
        return ms_error(MS_ERR_INVALID_ARG, "key file %s is open to group or others (mode %04o): "
                        "keys must be private, run chmod 600 %s", path,
                        (unsigned)(info.st_mode & 07777), path);
    return MS_OK;
}

static ms_status read_key_file(ms_alpaca_keys *out, const char *path)
{
    /* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
     * writer forever; it changes nothing for the regular file that
     * check_key_file then demands. Symbolic links are followed (no
     * O_NOFOLLOW): a link to a private key file is a common setup, and the
     * file it reaches is what the checks judge. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return ms_error(MS_ERR_IO, "key file %s: %s", path, strerror(errno));
    char text[KEY_FILE_MAX + 1];
    ssize_t len = 0;
    ms_status status = check_key_file(fd, path);
    if (status == MS_OK) {
        len = read(fd, text, KEY_FILE_MAX);
        if (len < 0)
            status = ms_error(MS_ERR_IO, "key file %s: %s", path, strerror(errno));
        else if (len == KEY_FILE_MAX)
            status = ms_error(MS_ERR_INVALID_ARG, "key file %s is larger than %d bytes", path,
                              KEY_FILE_MAX);
    }
    close(fd);
    if (status == MS_OK) {
        text[len] = '\0';
        status = parse_key_file(out, text, path);
    }
    memset(text, 0, sizeof text);
    return status;
}

/* No core dump, and no ptrace by other processes of the user, from now
 * on: for the whole process, as both are. Failures are ignored: neither
 * call can fail with these arguments on Linux. */
static void protect_from_dumps(void)
{
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    struct rlimit none = { 0, 0 };
    setrlimit(RLIMIT_CORE, &none);
}

static ms_status find_keys(const ms_broker_options *opts, ms_alpaca_keys *out)
{
    bool found = false;
    ms_status status = pair_from(out, opts->key_id, opts->secret_key, "broker options", &found);
    if (status != MS_OK || found)
        return status;
    const char *env_key_id, *env_secret_key;
    if (ms_alpaca_env_keys(opts, &env_key_id, &env_secret_key)) {
        status = pair_from(out, env_key_id, env_secret_key, "APCA_API_KEY_ID/APCA_API_SECRET_KEY",
                           &found);
        if (status != MS_OK || found)
            return status;
    }
    return has_text(opts->key_file) ? read_key_file(out, opts->key_file) : MS_OK;
}

ms_status ms_alpaca_keys_resolve(const ms_broker_options *opts, ms_alpaca_keys *out)
{
    memset(out, 0, sizeof *out);
    /* Before a key is read: a dump taken mid-read would hold it too. */
    if (ms_alpaca_keys_configured(opts))
        protect_from_dumps();
    return find_keys(opts, out);
}

void ms_alpaca_keys_wipe(ms_alpaca_keys *keys)
{
    volatile char *bytes = (volatile char *)keys;
    for (size_t i = 0; i < sizeof *keys; i++)
        bytes[i] = 0;
}

bool ms_alpaca_keys_configured(const ms_broker_options *opts)
{
    if (opts != NULL && has_text(opts->key_id) && has_text(opts->secret_key))
        return true;
    const char *env_key_id, *env_secret_key;
    if (ms_alpaca_env_keys(opts, &env_key_id, &env_secret_key) && has_text(env_key_id) &&
        has_text(env_secret_key))
        return true;
    return opts != NULL && has_text(opts->key_file);
}
