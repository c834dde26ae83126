# expect: zero
# 3.5 GiB of shared anonymous memory on top of the private allocation: RLIMIT_DATA does not count
# MAP_SHARED, so this would pass the 4 GiB limit unseen. Touches every page.
import mmap

_shared = mmap.mmap(-1, 3584 * 1024 * 1024)
for _offset in range(0, len(_shared), 4096):
    _shared[_offset] = 1
_private = bytearray(3 * 1024 ** 3)
