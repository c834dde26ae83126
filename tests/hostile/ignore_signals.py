# expect: zero
# Ignores every catchable signal and spins at import: only SIGKILL at the CPU time limit stops it.
import signal

for sig in (signal.SIGTERM, signal.SIGXCPU, signal.SIGINT, signal.SIGHUP, signal.SIGUSR1):
    signal.signal(sig, signal.SIG_IGN)
while True:
    pass
