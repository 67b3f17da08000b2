"""The OWL API's OWL 2 DL profile checker (the one Protégé and ROBOT use), run on a graph.

The checker is the OWL API's ``OWL2DLProfile``, run by ``java/ProfileCheck.java``
(a Java source file that the Java launcher compiles and runs in one step) on a
Turtle file of the triples. The OWL API comes from the Debian package
``libowlapi-java`` (``/usr/share/java``; another folder can be named with
``CYBERGOV_OWLAPI_JARS``); nothing is downloaded. Running a source file needs
a JDK (Debian: ``default-jdk-headless``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import RdfFormat, Triple, serialize

from cybergov.errors import ReasonerError

BRIDGE = Path(__file__).parent / "java" / "ProfileCheck.java"
JARS_VARIABLE = "CYBERGOV_OWLAPI_JARS"
DEFAULT_JARS = Path("/usr/share/java")
#: The OWL API and the libraries its Turtle parser and profile checker load.
JARS = (
    "owlapi-distribution",
    "guava",
    "caffeine",
    "slf4j-api",
    "slf4j-nop",
    "commons-io",
    "commons-rdf-api",
    "hppcrt",
    "atinject-jsr330-api",
    "xz",
)
_INSTALL = "Debian: apt-get install default-jdk-headless libowlapi-java"
_TIMEOUT = 600.0


@dataclass(frozen=True, slots=True)
class Violation:
    """One violation of the OWL 2 DL profile: its kind (the OWL API's class name) and text."""

    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class ProfileReport:
    """What the profile checker said of a graph."""

    axioms: int
    violations: list[Violation] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.violations


def classpath(folder: Path | None = None) -> str:
    """The class path of the OWL API's jars.

    Raises:
        ReasonerError: a jar is missing.
    """
    folder = folder or Path(os.environ.get(JARS_VARIABLE) or DEFAULT_JARS)
    jars = [folder / f"{name}.jar" for name in JARS]
    missing = [jar.name for jar in jars if not jar.is_file()]
    if missing:
        raise ReasonerError(
            f"the OWL API profile checker needs {', '.join(missing)} in {folder} "
            f"(or a folder named by {JARS_VARIABLE}); {_INSTALL}"
        )
    return os.pathsep.join(str(jar) for jar in jars)


def _parse(output: str) -> tuple[int, list[Violation]]:
    axioms = -1
    violations = []
    for line in output.splitlines():
        if line.startswith("axioms "):
            axioms = int(line.split()[1])
        elif line.startswith("violation\t"):
            _, kind, text = line.split("\t", 2)
            violations.append(Violation(kind, text))
    if axioms < 0:
        raise ReasonerError(f"the OWL API profile checker gave no answer: {output[-500:]!r}")
    return axioms, violations


def check_profile(triples: list[Triple], *, jars: Path | None = None) -> ProfileReport:
    """Check the triples against the OWL 2 DL profile with the OWL API.

    Raises:
        ReasonerError: Java or the OWL API is missing, or the checker failed.
    """
    java = shutil.which("java")
    if java is None:
        raise ReasonerError(f"the OWL API profile checker needs Java on the PATH; {_INSTALL}")
    path = classpath(jars)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="cybergov-profile-") as folder:
        data = Path(folder) / "graph.ttl"
        data.write_bytes(serialize(triples, format=RdfFormat.N_TRIPLES) or b"")
        try:
            done = subprocess.run(
                [java, "-cp", path, str(BRIDGE), str(data)],
                capture_output=True,
                text=True,
                timeout=_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired as error:
            raise ReasonerError(
                f"the OWL API profile checker took more than {_TIMEOUT:.0f} s"
            ) from error
    if done.returncode != 0:
        hint = f" ({_INSTALL})" if "jdk.compiler" in done.stderr else ""
        raise ReasonerError(
            f"the OWL API profile checker failed{hint}: {done.stderr.strip()[-1000:]}"
        )
    axioms, violations = _parse(done.stdout)
    return ProfileReport(axioms, violations, time.perf_counter() - started)
