"""The lock files agree with the ranges they are compiled from (ADR 0003).

``requirements*.in`` hold the direct dependencies as ranges; ``make lock`` compiles them into
``requirements*.txt``, exact versions with hashes, which is all any install reads (``--require-hashes``).
These tests fail when an ``.in`` file and its lock disagree in either direction, when a lock line is not a
hashed exact pin or names an index or a local directory, when the dev lock contradicts a runtime pin, and
when the environment running the suite is not the lock.
"""

from __future__ import annotations

import importlib.metadata
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
LOCKS = {"requirements.txt": "requirements.in", "requirements-dev.txt": "requirements-dev.in"}
HASH = re.compile(r"^sha256:[0-9a-f]{64}$")


@dataclass(frozen=True)
class Pin:
    name: str
    version: Version
    requirement: Requirement
    hashes: frozenset[str]
    line: str

    def applies_here(self) -> bool:
        return self.requirement.marker is None or self.requirement.marker.evaluate()


def _logical_lines(path: Path) -> list[str]:
    """The file's lines with backslash continuations joined and comments dropped."""
    text = re.sub(r"\\\n", " ", path.read_text())
    lines = (re.sub(r"(^|\s)#.*$", "", line).strip() for line in text.splitlines())
    return [line for line in lines if line]


def direct_requirements(in_file: str) -> list[Requirement]:
    """Every requirement of an ``.in`` file, following its ``-r`` includes."""
    found: list[Requirement] = []
    for line in _logical_lines(ROOT / in_file):
        if line.startswith(("-r ", "--requirement ")):
            found += direct_requirements(line.split(maxsplit=1)[1])
        elif line.startswith("-"):
            raise AssertionError(f"{in_file}: options belong in `make lock`, not in the .in file: {line}")
        else:
            found.append(Requirement(line))
    return found


def lock_entries(lock_file: str) -> tuple[list[Pin], list[str]]:
    """(the pins, the lines that are not pins) of a compiled lock file."""
    pins: list[Pin] = []
    other: list[str] = []
    for line in _logical_lines(ROOT / lock_file):
        requirement_text, *hash_parts = line.split(" --hash=")
        if line.startswith("-") or "==" not in requirement_text:
            other.append(line)
            continue
        requirement = Requirement(requirement_text)
        (specifier,) = requirement.specifier
        pins.append(
            Pin(
                name=canonicalize_name(requirement.name),
                version=Version(specifier.version),
                requirement=requirement,
                hashes=frozenset(part.strip() for part in hash_parts),
                line=line,
            )
        )
    return pins, other


def pins_by_name(lock_file: str) -> dict[str, list[Pin]]:
    table: dict[str, list[Pin]] = {}
    for pin in lock_entries(lock_file)[0]:
        table.setdefault(pin.name, []).append(pin)
    return table


@pytest.mark.parametrize("lock_file", LOCKS)
def test_every_line_of_a_lock_is_an_exact_pin_with_hashes(lock_file):
    pins, other = lock_entries(lock_file)
    assert pins, f"{lock_file} pins nothing"
    assert not other, f"{lock_file}: lines that are not hashed pins (index, find-links, options?): {other}"
    for pin in pins:
        (specifier,) = pin.requirement.specifier
        assert specifier.operator == "==", f"{lock_file}: not an exact pin: {pin.line}"
        assert pin.hashes, f"{lock_file}: {pin.name}=={pin.version} has no hash"
        assert all(HASH.match(h) for h in pin.hashes), f"{lock_file}: malformed hash on {pin.name}"
        assert not pin.requirement.url, f"{lock_file}: {pin.name} comes from a URL, not the index"


@pytest.mark.parametrize("lock_file", LOCKS)
def test_a_lock_names_no_index_and_no_local_directory(lock_file):
    text = (ROOT / lock_file).read_text()
    for marker in ("--index-url", "--extra-index-url", "--find-links", "--trusted-host", "file:", "/opt/"):
        assert marker not in text, f"{lock_file} carries a machine-specific line ({marker})"


@pytest.mark.parametrize(("lock_file", "in_file"), LOCKS.items())
def test_every_direct_requirement_is_pinned_inside_its_range(lock_file, in_file):
    pins = pins_by_name(lock_file)
    problems = []
    for requirement in direct_requirements(in_file):
        name = canonicalize_name(requirement.name)
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        candidates = [pin for pin in pins.get(name, []) if pin.applies_here()]
        if not candidates:
            problems.append(f"{requirement} is not pinned (run `make lock`)")
        elif not any(requirement.specifier.contains(pin.version, prereleases=True) for pin in candidates):
            versions = ", ".join(str(pin.version) for pin in candidates)
            problems.append(f"{requirement} is pinned at {versions}, outside its range (run `make lock`)")
    assert not problems, f"{in_file} and {lock_file} disagree:\n" + "\n".join(problems)


def _required_names(distribution: importlib.metadata.Distribution) -> set[str]:
    # Every name the distribution may require, whatever the platform or extra: the lock is universal.
    return {canonicalize_name(Requirement(text).name) for text in distribution.requires or ()}


@pytest.mark.parametrize(("lock_file", "in_file"), LOCKS.items())
def test_nothing_is_pinned_that_no_requirement_needs(lock_file, in_file):
    pins = pins_by_name(lock_file)
    needed = {canonicalize_name(r.name) for r in direct_requirements(in_file)}
    for name in pins:
        try:
            needed |= _required_names(importlib.metadata.distribution(name))
        except importlib.metadata.PackageNotFoundError:
            continue  # a pin for another platform; whatever requires it is installed and names it
    stale = sorted(set(pins) - needed)
    assert not stale, f"{lock_file} pins what {in_file} no longer needs (run `make lock`): {stale}"


def test_the_dev_lock_keeps_every_runtime_pin():
    runtime = pins_by_name("requirements.txt")
    dev = pins_by_name("requirements-dev.txt")
    problems = []
    for name, pins in runtime.items():
        for pin in pins:
            same = [
                other
                for other in dev.get(name, [])
                if other.version == pin.version and other.requirement.marker == pin.requirement.marker
            ]
            if not same:
                problems.append(f"{name}=={pin.version} ({pin.requirement.marker or 'all platforms'})")
            elif same[0].hashes != pin.hashes:
                problems.append(f"{name}=={pin.version}: other hashes than requirements.txt")
    assert not problems, "requirements-dev.txt contradicts requirements.txt:\n" + "\n".join(problems)


def test_the_suite_runs_on_the_locked_versions():
    problems = []
    for name, pins in pins_by_name("requirements-dev.txt").items():
        for pin in pins:
            if not pin.applies_here():
                continue
            try:
                installed = Version(importlib.metadata.version(name))
            except importlib.metadata.PackageNotFoundError:
                problems.append(f"{name}=={pin.version} is not installed")
                continue
            if installed != pin.version:
                problems.append(f"{name} {installed} is installed, the lock says {pin.version}")
    assert not problems, "The environment is not the lock (run `make setup-dev`):\n" + "\n".join(problems)
