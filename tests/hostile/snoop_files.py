# expect: reference
# Looks for what earlier submissions (leave_files.py) left behind, and for other students' code.
import glob
import os

for path in glob.glob("/tmp/**/hostile-note.txt", recursive=True) + glob.glob("/dev/shm/hostile-note.txt") + \
        glob.glob("/var/tmp/hostile-note.txt") + glob.glob("../../*/work/*.py") + glob.glob("/tmp/autograde-*/jobs/*/work/*.py"):
    if os.path.abspath(path) != os.path.abspath(__file__):
        try:
            open(path).read(1)
            print("LEAK: found", path)
        except OSError:
            pass
