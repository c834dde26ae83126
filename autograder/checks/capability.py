"""What a student's code *can* do, read from its source in the trusted process (parsed, never run).

"Without autograd" and "from scratch" are promises about everything a function could call, not
about the calls a profiler happened to see: a profiler misses an internal engine function, a helper
thread, or a hook removed and put back. So the trusted side also reads the source. For a named
function it follows, by name and transitively, every module-level definition the function can reach
(functions, classes, assignments, imports) and reports the forbidden capabilities they name
(`Capability`: modules such as `torch.autograd`, attributes such as `.backward`). Across the whole
module (the `if __name__ == "__main__":` block aside, which the grader never runs) it also reports
dynamic access that could hide a name from such a reading: `exec`, `eval`, `compile`, `getattr`
with a computed name, `globals()`, `importlib`, threads, `sys.setprofile`, `ctypes`...

Conservative by design: a name is flagged wherever it appears in reachable code, whether or not
that line would run. The course's published code for the labs using this (08-2, 09-2) names none
of them where it is read (tests/test_capability.py)."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Callable

from ..catalog import Msg, Text, join, msg
from .observations import Observations


@dataclass(frozen=True)
class Capability:
    """What a promise forbids: `modules` (dotted prefixes, matched after resolving imports, so
    `from torch import autograd as ag; ag.grad` is `torch.autograd.grad`) and `attributes`
    (matched on any object, since `params["w1"].backward` has no module to resolve)."""

    modules: frozenset[str]
    attributes: frozenset[str]


@dataclass(frozen=True)
class Found:
    """One forbidden name in the source: where, and how it reads once imports are resolved."""

    line: int
    name: str


# "Without autograd": everything that records a graph or asks the engine for gradients.
AUTOGRAD = Capability(
    modules=frozenset({"torch.autograd", "torch.func", "functorch", "torch._C", "torch.overrides",
                       "torch.enable_grad", "torch.set_grad_enabled"}),
    attributes=frozenset({"backward", "grad", "grad_fn", "requires_grad", "requires_grad_", "retain_grad",
                          "register_hook", "enable_grad", "set_grad_enabled", "_execution_engine", "run_backward",
                          "_engine_run_backward", "vjp", "jvp", "jacrev", "jacfwd", "hessian", "jacobian", "_C"}))

# "From scratch": torch.nn.init, by any path, and reading library code to run it again.
NN_INIT = Capability(
    modules=frozenset({"torch.nn.init", "inspect"}),
    attributes=frozenset({"init", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
                          "trunc_normal_", "_calculate_fan_in_and_fan_out", "_calculate_correct_fan",
                          "_no_grad_uniform_", "_no_grad_normal_", "getsource", "__code__"}))

# Anywhere in the module: what turns a name into something computed while the code runs, runs work
# elsewhere (threads, processes), or reaches into the interpreter or the grader's hooks.
DYNAMIC = Capability(
    modules=frozenset({"importlib", "sys.modules", "sys.setprofile", "sys.settrace", "sys._getframe",
                       "threading", "_thread", "concurrent", "multiprocessing", "torch.multiprocessing", "subprocess",
                       "os.system", "os.fork", "os.popen", "ctypes", "types.FunctionType", "types.CodeType",
                       "operator.attrgetter", "operator.methodcaller", "pickle", "marshal", "dill", "cloudpickle",
                       "builtins", "gc", "inspect", "torch.overrides", "torch._C", "runpy"}),
    attributes=frozenset({"__dict__", "__globals__", "__code__", "__builtins__", "__subclasses__", "__getattribute__",
                          "__closure__", "__import__", "f_globals", "f_locals", "f_back", "co_code", "_getframe",
                          "__loader__", "__spec__"}))
CALLS = frozenset({"exec", "eval", "compile", "__import__", "globals", "locals", "vars", "breakpoint"})
NAMED_ATTRIBUTE = frozenset({"getattr", "setattr", "delattr", "hasattr"})  # fine with a literal name


def _main_guard(node: ast.stmt) -> bool:
    test = node.test if isinstance(node, ast.If) else None
    return (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__"
            and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators))


BLOCKS = (ast.If, ast.Try, ast.With, ast.For, ast.While)


def _statements(body: list[ast.stmt]) -> list[ast.stmt]:
    """Module-level statements the grader's import runs, those under `if`/`try`/`with` included
    (each block also listed itself, for its conditions)."""
    found = []
    for node in body:
        if _main_guard(node):
            continue
        found.append(node)
        if isinstance(node, BLOCKS):
            nested = [*node.body, *getattr(node, "orelse", []), *getattr(node, "finalbody", []),
                      *(s for handler in getattr(node, "handlers", []) for s in handler.body)]
            found.extend(_statements(nested))
    return found


def _imports(statements: list[ast.stmt]) -> dict[str, str]:
    """Each module-level name an import binds -> the dotted path it stands for."""
    aliases: dict[str, str] = {}
    for node in statements:
        if isinstance(node, ast.Import):
            for alias in node.names:
                root = alias.name.split(".")[0]
                aliases[alias.asname or root] = alias.name if alias.asname else root
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return aliases


def _root(node: ast.expr) -> ast.expr:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node


def _bound(node: ast.stmt, aliases: dict[str, str]) -> set[str]:
    """The module-level names a statement binds, and the imported modules it patches: a statement
    anywhere that assigns `torch.sigmoid = ...` (or calls `setattr(torch, ...)`) is part of what
    every reader of `torch` can reach."""
    if isinstance(node, BLOCKS):
        return set()  # their statements are listed apart (`_statements`)
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        names = {node.name}
    elif isinstance(node, (ast.Import, ast.ImportFrom)):  # `*` binds names unknown here: read by every root
        names = {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    else:
        names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    for inner in ast.walk(node):
        target = None
        if isinstance(inner, (ast.Attribute, ast.Subscript)) and isinstance(inner.ctx, (ast.Store, ast.Del)):
            target = _root(inner)
        elif isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id in NAMED_ATTRIBUTE \
                and inner.args:
            target = _root(inner.args[0])
        if isinstance(target, ast.Name) and target.id in aliases:
            names.add(target.id)
    return names


def _dotted(node: ast.expr, aliases: dict[str, str]) -> tuple[str, bool]:
    """`nn.init.normal_` as it reads with its import resolved ("torch.nn.init.normal_"), and whether
    its root is an imported name (only then is it matched against module paths)."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return ".".join(["", *reversed(parts)]), False
    return ".".join([aliases.get(node.id, node.id), *reversed(parts)]), node.id in aliases


def _under(name: str, prefixes: frozenset[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _literal_name(call: ast.Call) -> str | None:
    """getattr(x, "name"): the literal attribute name, else None (computed, or missing)."""
    if len(call.args) >= 2 and isinstance(call.args[1], ast.Constant) and isinstance(call.args[1].value, str):
        return call.args[1].value
    return None


def _names_in(node: ast.AST, aliases: dict[str, str], capability: Capability, dynamic: bool) -> str | None:
    """What one syntax node names that `capability` forbids (with `dynamic`, also a computed name)."""
    if isinstance(node, ast.Attribute):
        dotted, imported = _dotted(node, aliases)
        if node.attr in capability.attributes or imported and _under(dotted, capability.modules):
            return dotted
    elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in aliases:
        if _under(aliases[node.id], capability.modules) or aliases[node.id].split(".")[-1] in capability.attributes:
            return aliases[node.id]
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        literal = _literal_name(node) if node.func.id in NAMED_ATTRIBUTE else None
        if literal in capability.attributes:
            return f'{node.func.id}(..., "{literal}")'
        if dynamic and (node.func.id in CALLS or node.func.id in NAMED_ATTRIBUTE and literal is None):
            return f"{node.func.id}()"
    return None


def _scan(nodes: list[ast.stmt], aliases: dict[str, str], capability: Capability, dynamic: bool) -> list[Found]:
    """The forbidden names in `nodes`, one per line and name, the longest of a dotted path
    (`torch.autograd.grad`, not also `torch.autograd`), in line order."""
    found: set[Found] = set()
    for top in nodes:
        for node in ast.walk(top):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                module = node.module if isinstance(node, ast.ImportFrom) and not node.level else None
                for alias in node.names:
                    path = f"{module}.{alias.name}" if module else alias.name
                    if _under(path, capability.modules) or alias.name in capability.attributes:
                        found.add(Found(node.lineno, path))
                continue
            name = _names_in(node, aliases, capability, dynamic)
            if name is not None:
                found.add(Found(node.lineno, name))
    longest = [f for f in found if not any(o.line == f.line and o.name.startswith(f.name + ".") for o in found)]
    return sorted(longest, key=lambda f: (f.line, f.name))


def _parse(source: str) -> ast.Module | None:
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError):
        return None  # reported elsewhere (source.syntax_problem), before anything runs


def reachable(tree: ast.Module, roots: list[str]) -> list[ast.stmt]:
    """The module-level statements that `roots` (function names) can reach by name, transitively:
    the definitions of the names they read, then of the names those read, and so on."""
    statements = _statements(tree.body)
    aliases = _imports(statements)
    binding: dict[str, list[ast.stmt]] = {}
    for node in statements:
        for name in _bound(node, aliases):
            binding.setdefault(name, []).append(node)
    seen: dict[int, ast.stmt] = {}
    names, done = [*roots, "*"], set()
    while names:
        name = names.pop()
        if name in done:
            continue
        done.add(name)
        for node in binding.get(name, []):
            if id(node) not in seen:
                seen[id(node)] = node
                names.extend(n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load))
    return sorted(seen.values(), key=lambda n: n.lineno)


def forbidden(source: str, roots: list[str], capability: Capability) -> list[Found]:
    """Where the code `roots` can reach names what `capability` forbids."""
    tree = _parse(source)
    if tree is None:
        return []
    return _scan(reachable(tree, roots), _imports(_statements(tree.body)), capability, dynamic=False)


def dynamic_access(source: str) -> list[Found]:
    """Where the module (its `__main__` block aside) computes names or runs work out of sight."""
    tree = _parse(source)
    if tree is None:
        return []
    body = [node for node in tree.body if not _main_guard(node)]
    return _scan(body, _imports(_statements(tree.body)), DYNAMIC, dynamic=True)


def places(found: list[Found], locate: Callable[[int], Text], most: int = 3) -> Text:
    """The first few findings as a student reads them: "hw.py line 12: `torch.autograd.grad`"."""
    return join((msg("capability.found", place=locate(f.line), name=f.name) for f in found[:most]), "; ")


def written_out(obs: Observations, functions: list[str], capability: Capability) -> Msg | None:
    """What the trusted side's own reading of the source finds against a promise about `functions`:
    a forbidden name they can reach or, anywhere in the module, code that computes names or runs
    work out of sight, each said with where it is. None when clean, or when the source was not
    handed over (`Observations.source`, set by grading.py from the text the sandbox ran)."""
    source = obs.source
    if source is None:
        return None
    named = join((f"{function}()" for function in functions), ", ")
    found = forbidden(source, functions, capability)
    if found:
        return msg("capability.named", found=places(found, obs.locate), functions=named)
    hidden = dynamic_access(source)
    return msg("capability.hidden", found=places(hidden, obs.locate), functions=named) if hidden else None
