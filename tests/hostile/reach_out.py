# expect: reference
# Tries every way out to a listener the test runs on the host: a unix socket file (connect and
# sendto), TCP and UDP on loopback, an abstract unix socket, and netlink. Prints LEAK for each that
# got through.
import glob
import socket

for _path in glob.glob("/var/tmp/autograde-hostile-*.sock"):
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as _s:
            _s.settimeout(2)
            _s.connect(_path)
            _s.sendall(b"LEAK unix stream")
            print("LEAK: connected to", _path)
    except OSError:
        pass
for _path in glob.glob("/var/tmp/autograde-hostile-*.dgram"):
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as _s:
            _s.sendto(b"LEAK unix dgram", _path)
            print("LEAK: sent to", _path)
    except OSError:
        pass
for _kind, _data in ((socket.SOCK_STREAM, b"LEAK tcp"), (socket.SOCK_DGRAM, b"LEAK udp")):
    try:
        with socket.socket(socket.AF_INET, _kind) as _s:
            _s.settimeout(2)
            if _kind == socket.SOCK_STREAM:
                _s.connect(("127.0.0.1", 47613))
                _s.sendall(_data)
                print("LEAK: connected over TCP")
            else:
                _s.sendto(_data, ("127.0.0.1", 47613))
    except OSError:
        pass
try:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as _s:
        _s.settimeout(2)
        _s.connect("\0autograde-hostile-abstract")
        _s.sendall(b"LEAK abstract")
        print("LEAK: connected to the abstract socket")
except OSError:
    pass
try:
    with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0) as _s:
        print("netlink socket opened (no LEAK by itself)")
except OSError:
    pass
# --- after the reference ---
