# expect: reference
# Publishes a message in System V shared memory (key 0x5eed) and leaves it there, for a later
# submission (sysv_read.py) to find: a channel between students that would outlive the batch.
import ctypes

_libc = ctypes.CDLL(None, use_errno=True)
_libc.shmat.restype = ctypes.c_void_p
_id = _libc.shmget(0x5EED, 4096, 0o1666)  # IPC_CREAT | 0666
if _id >= 0:
    _at = _libc.shmat(_id, None, 0)
    if _at not in (None, ctypes.c_void_p(-1).value):
        ctypes.memmove(_at, b"LEAK from sysv_publish", 22)
# --- after the reference ---
