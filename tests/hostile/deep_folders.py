# expect: reference
# Leaves 3000 nested folders (deeper than PATH_MAX and than Python's recursion limit in
# shutil.rmtree), a read-only folder, an unsearchable one and a FIFO in its work folder, for the
# trusted process to clean up.
import os

_fd = os.open(".", os.O_RDONLY)
for _ in range(3000):
    os.mkdir("d", dir_fd=_fd)
    _next = os.open("d", os.O_RDONLY, dir_fd=_fd)
    os.close(_fd)
    _fd = _next
os.mkfifo("pipe.py", dir_fd=_fd)
os.close(_fd)
for _name, _mode in (("readonly", 0o500), ("closed", 0o000)):
    os.makedirs(f"{_name}/inner", exist_ok=True)
    with open(f"{_name}/inner/file.txt", "w") as _f:
        _f.write("x")
    os.chmod(_name, _mode)
# --- after the reference ---
