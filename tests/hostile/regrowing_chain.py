# expect: reference
# A chain of three shells, each restarting the one below it when it dies, the last running
# `sleep 7.77` (the marker the test looks for): killing any one member does not end it. Bounded to
# about 40 s so that it cannot outlive a test run for long if it escapes.
import os

if os.fork() == 0:
    try:
        os.setsid()  # refused since issue 18 (a new session is one more CPU share): it goes on anyway
    except OSError:
        pass
    _inner = "for i in 1 2 3 4 5; do sleep 7.77; done"
    _middle = f"for j in 1 2 3; do sh -c '{_inner}'; done"
    os.execv("/bin/sh", ["sh", "-c", f"for k in 1 2 3; do sh -c \"{_middle}\" & wait; done"])
# --- after the reference ---
