/*
 * temp_dir.c - scratch directories for tests (see temp_dir.h).
 */
#include "temp_dir.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *temp_dir_create(void)
{
    char template[] = "/tmp/marketsim-test-XXXXXX";
    if (mkdtemp(template) == NULL)
        return NULL;
    char *dir = malloc(sizeof template);
    if (dir != NULL)
        memcpy(dir, template, sizeof template);
    return dir;
}

char *temp_dir_path(const char *dir, const char *name)
{
    size_t size = strlen(dir) + strlen(name) + 2;
    char *path = malloc(size);
    if (path != NULL)
        snprintf(path, size, "%s/%s", dir, name);
    return path;
}

/* Depth-first: a directory's entries before the directory itself. */
static void remove_tree(const char *path)
{
    struct stat info;
    if (lstat(path, &info) != 0)
        return;
    DIR *entries = S_ISDIR(info.st_mode) ? opendir(path) : NULL;
    if (entries == NULL) {
        unlink(path);
        return;
    }
    struct dirent *entry;
    while ((entry = readdir(entries)) != NULL) {
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
            continue;
        char *child = temp_dir_path(path, entry->d_name);
        if (child != NULL)
            remove_tree(child);
        free(child);
    }
    closedir(entries);
    rmdir(path);
}

void temp_dir_remove(char *dir)
{
    if (dir != NULL)
        remove_tree(dir);
    free(dir);
}

int temp_dir_setup(void **state)
{
    *state = temp_dir_create();
    return *state == NULL ? -1 : 0;
}

int temp_dir_teardown(void **state)
{
    temp_dir_remove(*state);
    return 0;
}
