"""The page's string tables as source: no key is written twice in one object. JavaScript
keeps the last of two, silently: a dashboard's "classSentLesson" once replaced the
student's, so a sent lesson read `the lesson “–”`. (That both languages have the same
keys is checked in the browser: test_page_resume.py.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

STRINGS = Path(__file__).resolve().parents[2] / "static" / "js" / "strings"
TOKEN = re.compile(r"""
    (?P<comment>//[^\n]*|/\*.*?\*/)
  | (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`)
  | (?P<name>[A-Za-z_$][\w$]*)
  | (?P<punct>\S)
""", re.VERBOSE | re.DOTALL)


def repeated_keys(source: str) -> list[tuple[str, int]]:
    """(key, line) of every key written again in the same object literal."""
    stack: list[tuple[str, set[str]]] = []   # open brackets, each with the keys seen in it
    tokens = [(m.lastgroup, m.group(), m.start()) for m in TOKEN.finditer(source)
              if m.lastgroup != "comment"]
    repeated = []
    for i, (kind, text, at) in enumerate(tokens):
        if kind == "punct" and text in "{[(":
            stack.append((text, set()))
        elif kind == "punct" and text in "}])":
            stack.pop()
        elif (kind in ("name", "string") and stack and stack[-1][0] == "{"
              and i + 1 < len(tokens) and tokens[i + 1][1] == ":"
              and tokens[i - 1][1] in ("{", ",")):
            key = text.strip("\"'")
            if key in stack[-1][1]:
                repeated.append((key, source.count("\n", 0, at) + 1))
            stack[-1][1].add(key)
    assert not stack, "unbalanced brackets"
    return repeated


def test_the_checker_finds_a_key_written_twice():
    assert repeated_keys('export const A = {\n  a: "x", b: { a: 1 },\n  "a": `y`,\n};') == [("a", 3)]
    assert repeated_keys('const A = { a: (n) => `${n}`, b: [{ a: 1 }, { a: 2 }] };') == []


@pytest.mark.parametrize("name", sorted(p.name for p in STRINGS.glob("*.js")))
def test_no_string_key_is_written_twice(name):
    assert repeated_keys((STRINGS / name).read_text(encoding="utf-8")) == []
