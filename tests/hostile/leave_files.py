# expect: reference
# Writes notes wherever it can, for a later submission (snoop_files.py) to find.
import os

for folder in (".", "..", "/tmp", "/dev/shm", os.path.expanduser("~"), "/var/tmp"):
    try:
        with open(os.path.join(folder, "hostile-note.txt"), "w") as handle:
            handle.write("left by leave_files")
    except OSError:
        pass
