# expect: reference
# Looks for what sysv_publish.py left in System V shared memory (key 0x5eed), waiting a few
# seconds for it; prints LEAK if it reads the message.
import ctypes
import time

_libc = ctypes.CDLL(None, use_errno=True)
_libc.shmat.restype = ctypes.c_void_p
for _ in range(20):
    _id = _libc.shmget(0x5EED, 0, 0)
    if _id >= 0:
        _at = _libc.shmat(_id, None, 0)
        if _at not in (None, ctypes.c_void_p(-1).value) and ctypes.string_at(_at, 4) == b"LEAK":
            print(ctypes.string_at(_at, 22).decode())
        break
    time.sleep(0.2)
# --- after the reference ---
