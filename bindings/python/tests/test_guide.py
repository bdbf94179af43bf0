"""The user guide's first-analysis walkthroughs (docs/guide.md) run as
printed: its C program compiles against the library and prints the
ranking, its Python snippet runs. A guide a newcomer cannot follow is a
bug."""
import os
import re
import subprocess
import sys


def guide_block(repo_root, language):
    with open(os.path.join(repo_root, "docs", "guide.md"), encoding="utf-8") as guide:
        blocks = re.findall(r"^```%s\n(.*?)^```$" % language, guide.read(), re.S | re.M)
    assert len(blocks) == 1, "expected one %s block in docs/guide.md" % language
    return blocks[0]


def test_guide_c_program_compiles_and_ranks_both_symbols(repo_root, tmp_path):
    source = tmp_path / "first.c"
    source.write_text(guide_block(repo_root, "c"))
    library_dir = os.path.dirname(os.environ.get("MARKETSIM_LIB") or
                                  os.path.join(repo_root, "build", "lib", "libmarketsim.so"))
    subprocess.run(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror",
                    "-I" + os.path.join(repo_root, "include"), str(source),
                    "-L" + library_dir, "-lmarketsim", "-Wl,-rpath," + library_dir,
                    "-o", str(tmp_path / "first")], check=True)
    completed = subprocess.run([str(tmp_path / "first")], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr
    assert sorted(line.split()[0] for line in completed.stdout.splitlines()) == ["AAPL", "BTCUSD"]


def test_guide_python_snippet_runs(repo_root, tmp_path):
    script = tmp_path / "first.py"
    script.write_text(guide_block(repo_root, "python"))
    environment = dict(os.environ, PYTHONPATH=os.path.join(repo_root, "bindings", "python"))
    completed = subprocess.run([sys.executable, str(script)], env=environment,
                               capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr
    assert "AAPL" in completed.stdout and "BTCUSD" in completed.stdout
