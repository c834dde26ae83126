# expect: fail from_scratch
# replaces: xavier_uniform_ xavier_normal_ he_uniform_ he_normal_
# The four init functions run torch.nn.init's own code, recompiled from its source under another file
# name, so a profiler matching torch.nn.init's file sees none of it. Red-team row of issue 21
# (weight_init), scored 100.
import inspect

_library = {}
exec(compile(inspect.getsource(torch.nn.init), "my_init.py", "exec"), _library)


def xavier_uniform_(weight):
    return _library["xavier_uniform_"](weight)


def xavier_normal_(weight):
    return _library["xavier_normal_"](weight)


def he_uniform_(weight):
    return _library["kaiming_uniform_"](weight, nonlinearity="relu")


def he_normal_(weight):
    return _library["kaiming_normal_"](weight, nonlinearity="relu")
