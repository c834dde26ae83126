# expect: reference
# Leaves a daemon behind (double fork + setsid) that waits and then tries to tamper with later
# submissions' files. It execs `sleep 7.77` so that the test can look for survivors.
import os

if os.fork() == 0:
    try:
        os.setsid()  # refused since issue 18 (a new session is one more CPU share): it goes on anyway
    except OSError:
        pass
    if os.fork() == 0:
        os.execv("/bin/sh", ["sh", "-c", "sleep 7.77; for f in /tmp/autograde-*/jobs/*/out/obs/*.json; do echo x > $f; done"])
    os._exit(0)
os.wait()
