"""The trusted process removes whatever a sandbox left behind without failing: deeper than
PATH_MAX and Python's recursion limit, read-only and unsearchable folders, FIFOs, and symbolic
links (never followed), with one folder descriptor open at a time."""

from __future__ import annotations

import os

from autograder.cleanup import remove_tree


def _nest(root, depth: int) -> None:
    fd = os.open(root, os.O_RDONLY)
    for _ in range(depth):
        os.mkdir("d", dir_fd=fd)
        deeper = os.open("d", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = deeper
    os.mkfifo("pipe.py", dir_fd=fd)
    os.close(fd)


def test_any_tree_is_removed_and_nothing_outside_it(tmp_path):
    tree, outside = tmp_path / "tree", tmp_path / "outside"
    tree.mkdir()
    outside.mkdir()
    (outside / "keep.txt").write_text("x")
    _nest(tree, 3000)
    (tree / "link").symlink_to(outside, target_is_directory=True)
    for name, mode in (("readonly", 0o500), ("closed", 0o000)):
        (tree / name / "inner").mkdir(parents=True)
        (tree / name / "inner" / "file.txt").write_text("x")
        os.chmod(tree / name, mode)
    before = len(os.listdir("/proc/self/fd"))
    assert remove_tree(tree) == 0
    assert not tree.exists() and (outside / "keep.txt").read_text() == "x"
    assert len(os.listdir("/proc/self/fd")) == before  # no descriptor leaked


def test_a_missing_path_or_a_plain_file_is_fine(tmp_path):
    assert remove_tree(tmp_path / "absent") == 0
    (tmp_path / "file").write_text("x")
    assert remove_tree(tmp_path / "file") == 0 and not (tmp_path / "file").exists()
