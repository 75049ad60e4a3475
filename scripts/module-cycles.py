#!/usr/bin/env python3
"""Import circles among the modules of each crate: a module that uses another (`super::x`,
`crate::x`, `use super::{x, ...}`) depends on it; a strongly connected group of more than one
module is a circle. Prints each crate's circles and exits 1 if there is any (cargo already
refuses circles between crates)."""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def crates():
    yield "jumeau", os.path.join(ROOT, "src")
    for layer in sorted(os.listdir(os.path.join(ROOT, "crates"))):
        for name in sorted(os.listdir(os.path.join(ROOT, "crates", layer))):
            src = os.path.join(ROOT, "crates", layer, name, "src")
            if os.path.isdir(src):
                yield name, src


def code(path):
    """A file's text without its test code (tests may use any module of their crate)."""
    if os.path.basename(path) == "tests.rs":
        return ""
    text = open(path, encoding="utf-8").read()
    return text.split("#[cfg(test)]")[0]


def modules(src):
    """Top-level module name -> text of its files (a module folder counts as one module)."""
    out = {}
    for entry in os.listdir(src):
        path = os.path.join(src, entry)
        if entry.endswith(".rs") and entry not in ("lib.rs", "main.rs"):
            out.setdefault(entry[:-3], "")
            out[entry[:-3]] += code(path)
        elif os.path.isdir(path):
            for dirpath, _, files in os.walk(path):
                for f in files:
                    if f.endswith(".rs"):
                        out.setdefault(entry, "")
                        out[entry] += code(os.path.join(dirpath, f))
    return out


def graph(mods):
    g = {}
    for m, text in mods.items():
        deps = set(re.findall(r"\b(?:super|crate)::(\w+)", text))
        for group in re.findall(r"use (?:super|crate)::\{([^}]*)\}", text, re.S):
            deps |= set(re.findall(r"(\w+)(?=\s*(?:::|,|$))", group))
        g[m] = {d for d in deps if d in mods and d != m}
    return g


def circles(g):
    index, low, stack, on, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in g[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return found


total = 0
for name, src in crates():
    found = circles(graph(modules(src)))
    total += len(found)
    for c in found:
        print(f"{name}: circle among {', '.join(c)}")
print(f"module import circles: {total}")
sys.exit(1 if total else 0)
