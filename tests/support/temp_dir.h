/*
 * temp_dir.h - scratch directories for tests that write files: created
 * fresh under /tmp, removed with everything in them.
 */
#ifndef MS_TEST_TEMP_DIR_H
#define MS_TEST_TEMP_DIR_H

/* A new empty directory (malloc'ed path), or NULL when it cannot be made. */
char *temp_dir_create(void);

/* Removes `dir` and everything under it, then frees the path. NULL-safe. */
void temp_dir_remove(char *dir);

/* "<dir>/<name>", malloc'ed. */
char *temp_dir_path(const char *dir, const char *name);

/* CMocka setup/teardown: *state is a fresh directory for the test. */
int temp_dir_setup(void **state);
int temp_dir_teardown(void **state);

#endif
