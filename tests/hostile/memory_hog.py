# expect: zero
# Asks for 6 GiB at import (the sandbox's data limit is 4 GiB): refused, never touched.
hog = bytearray(6 * 1024 ** 3)
