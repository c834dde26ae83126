"""A generated class: `make_class(lab, folder, 40)` writes 40 varied submissions of one lab, the way
a real class looks. Correct solutions in the lab's other styles, every known bug of the lab
(tests/labs/<lab>.py), the untouched skeleton, a file that does not parse, one that raises on import,
and two pairs of students who share code of their own (the similar-submissions section must find
exactly them). Names mix Korean and romanised ones. Returns student -> what they handed in."""

from __future__ import annotations

import random
from pathlib import Path
from types import ModuleType

from .variants import apply_edits

NAMES = ["김민준", "이서연", "박지후", "최하은", "정도윤", "kang_jimin", "cho_yuna", "yoon_seojun", "jang_hayoon",
         "lim_eunwoo", "han_siwoo", "오지아", "서예준", "신수아", "권도현", "hwang_yerin", "ahn_junho", "song_chaewon",
         "jeon_minseo", "hong_jiwoo", "고은서", "문서진", "양지호", "손하린", "배건우", "baek_soyul", "heo_taeyang",
         "yoo_dain", "nam_hyunwoo", "sim_ara", "노지유", "하준서", "곽유나", "성민재", "차윤서", "joo_seungmin",
         "woo_jiyoon", "min_taeho", "ryu_sena", "jin_haneul"]

# Code of the students' own (not in the reference or skeleton), shared by a pair who copied each other.
SHARED = '''

def my_helper_{n}(values, scale=3):
    """Normalise a list the long way round."""
    total = 0
    for index, value in enumerate(values):
        if index % 2 == 0:
            total += value * scale - {n}
        else:
            total -= value / (scale + {n})
    result = [v * total for v in values if v > {n}]
    return sorted(result, reverse=True)[:{n} + 4]
'''


def make_class(lab: ModuleType, skeleton: Path, folder: Path, size: int = 40, seed: int = 0) -> dict[str, str]:
    rng = random.Random(seed)
    reference = lab.REFERENCE.read_text(encoding="utf-8")
    kinds: list[tuple[str, str]] = [("reference", reference)]
    kinds += [(f"variant {name}", apply_edits(reference, edits)) for name, (edits, _) in sorted(lab.VARIANTS.items())]
    kinds += [("skeleton", skeleton.read_text(encoding="utf-8")),
              ("syntax error", reference.replace("def ", "def def ", 1)),
              ("raises on import", "raise RuntimeError('학생 코드가 import 중에 실패합니다')\n" + reference)]
    folder.mkdir(parents=True, exist_ok=True)
    handed: dict[str, str] = {}
    names = NAMES[:size]
    pairs = [(names[0], names[1], 1), (names[2], names[3], 2)]
    for first, second, n in pairs:  # copied each other: the reference plus the same own code
        for student in (first, second):
            handed[student] = f"copied pair {n}"
            (folder / f"{student}.py").write_text(reference + SHARED.format(n=n), encoding="utf-8")
    rest = [name for name in names if name not in handed]
    for number, student in enumerate(rest):
        # Past the kinds, the lab's code as published (a variant twice would be two students sharing code).
        what, code = kinds[number] if number < len(kinds) else kinds[0]
        own = f"\n\ndef note_{number}():\n    return {rng.randint(0, 10**6)} * {number} + {rng.random():.6f}\n"
        handed[student] = what
        (folder / f"{student}.py").write_text(code + own, encoding="utf-8")
    return handed
