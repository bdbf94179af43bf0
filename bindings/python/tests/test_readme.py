"""Every fenced code block of README.md (and bindings/python/README.md)
runs as printed: shell blocks in
the repository root, the C program compiled against the built library and
run, the Python snippet with the bindings, the configuration file read by
`marketsim config show`. A block in any other language fails the test
until this file says how to run it. A README a newcomer cannot follow is
a bug."""
import os
import re
import subprocess
import sys

import pytest

from conftest import REPO_ROOT

FENCE = re.compile(r"^```(\w+)\n(.*?)^```$", re.S | re.M)


READMES = ("README.md", os.path.join("bindings", "python", "README.md"))


def readme_blocks(readmes=READMES):
    blocks = []
    for name in readmes:
        with open(os.path.join(REPO_ROOT, name), encoding="utf-8") as readme:
            blocks += FENCE.findall(readme.read())
    return blocks


def block_ids():
    counts = {}
    ids = []
    for name in READMES:
        for language, _ in readme_blocks((name,)):
            counts[name, language] = counts.get((name, language), 0) + 1
            ids.append("%s-%s-%d" % (name, language, counts[name, language]))
    return ids


def clean_environment(**extra):
    """The caller's environment without make's jobserver variables (a
    block's `make` must not join the outer make's job slots)."""
    environment = {name: value for name, value in os.environ.items()
                   if name not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    environment.update(extra)
    return environment


def run_shell(text, tmp_path, cli_binary):
    return subprocess.run(["sh", "-e", "-c", text], cwd=REPO_ROOT, env=clean_environment(),
                          capture_output=True, text=True)


def run_c(text, tmp_path, cli_binary):
    source = tmp_path / "first.c"
    source.write_text(text)
    library_dir = os.path.dirname(os.environ.get("MARKETSIM_LIB") or
                                  os.path.join(REPO_ROOT, "build", "lib", "libmarketsim.so"))
    subprocess.run(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror",
                    "-I" + os.path.join(REPO_ROOT, "include"), str(source),
                    "-L" + library_dir, "-lmarketsim", "-Wl,-rpath," + library_dir,
                    "-o", str(tmp_path / "first")], check=True)
    return subprocess.run([str(tmp_path / "first")], capture_output=True, text=True)


def run_python(text, tmp_path, cli_binary):
    script = tmp_path / "snippet.py"
    script.write_text(text)
    environment = clean_environment(PYTHONPATH=os.path.join(REPO_ROOT, "bindings", "python"))
    return subprocess.run([sys.executable, str(script)], env=environment,
                          capture_output=True, text=True)


def run_ini(text, tmp_path, cli_binary):
    config = tmp_path / "config.ini"
    config.write_text(text)
    completed = subprocess.run([cli_binary, "config", "show", "analyze", "--config", str(config)],
                               capture_output=True, text=True)
    keys = re.findall(r"^([\w-]+)\s*=", text, re.M)
    for key in keys:
        assert re.search(r"^%s = .*; %s:\d+$" % (re.escape(key), re.escape(str(config))),
                         completed.stdout, re.M), (key, completed.stdout)
    return completed


RUNNERS = {"sh": run_shell, "c": run_c, "python": run_python, "ini": run_ini}


def test_readme_has_a_block_of_each_kind():
    assert {language for language, _ in readme_blocks(READMES[:1])} >= {"sh", "c", "python", "ini"}


@pytest.mark.parametrize("language,text", readme_blocks(), ids=block_ids())
def test_readme_block_runs_as_printed(language, text, tmp_path, cli_binary):
    assert language in RUNNERS, "README block in %s: say in test_readme.py how to run it" % language
    completed = RUNNERS[language](text, tmp_path, cli_binary)
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-2000:]
    assert completed.stdout.strip(), "the block printed nothing"
