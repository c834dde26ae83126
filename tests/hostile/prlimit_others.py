# expect: reference
# Sets every other process's file-size limit to 0 and its open-file limit to 3 (prlimit(2) is not
# covered by Landlock and all sandboxes run as one user): a sibling submission, the zygote and the
# trusted grader would then fail to write. Prints LEAK for each process it could reach.
import os
import resource

for entry in os.listdir("/proc"):
    if entry.isdigit() and int(entry) != os.getpid():
        try:
            resource.prlimit(int(entry), resource.RLIMIT_FSIZE, (0, 0))
            resource.prlimit(int(entry), resource.RLIMIT_NOFILE, (3, 3))
            print("LEAK: changed the limits of process", entry)
        except (OSError, ValueError):
            pass
# --- after the reference ---
