"""Ship the top-level ``rules/`` packs inside the wheel as ``dedup/data/rules``.

The repository keeps rule packs at the top level (they are data, reviewed like data), but an
installed dedup (e.g. the pre-commit hook in another repository) must still find them.
Everything else is configured in pyproject.toml.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPyWithRules(build_py):
    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "dedup" / "data" / "rules"
        target.mkdir(parents=True, exist_ok=True)
        for pack in sorted(Path("rules").glob("*.yaml")):
            self.copy_file(str(pack), str(target / pack.name))


setup(cmdclass={"build_py": BuildPyWithRules})
