"""Build hook: ship the top-level signatures/ folder inside the wheel as agent/signatures/.

Everything else is in pyproject.toml. agent.rules.sources.default_rules_dir() looks for
signatures/ next to the package when it is not running from a source checkout.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class build_py_with_signatures(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads signatures/ from the checkout
        src = Path(__file__).resolve().parent / "signatures"
        dest = Path(self.build_lib) / "agent" / "signatures"
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": build_py_with_signatures})
