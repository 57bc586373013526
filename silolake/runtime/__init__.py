"""The framework's runtime assets, shipped inside the package (so inside the wheel).

What is deployed rather than run by the framework lives here, one folder per kind::

    lambda/<function>/   a Lambda function's code, zipped as is (handler.py + its modules)
    glue/<job>/          the framework's own Glue jobs (job.py + modules, --extra-py-files)
    pages/               the partner web pages (plain HTML, CSS, JavaScript)
    buildspec/           the silo pipelines' buildspecs, embedded into their build projects

None of these folders is a Python package of the framework: their code never imports
``silolake`` (``tests/test_layout.py``) and is imported only where it is deployed, with
its own folder as the import root. The user's own Glue scripts (``glue_src/``) are not
here: they are found beside the catalog file.

Every asset is found through :func:`runtime_path`, which builds on
:func:`importlib.resources.files`. The framework needs real files (a Lambda zip is
built from a folder, a site is copied), so the path is a :class:`pathlib.Path`: a wheel
installs as a directory, and an editable install or a checkout is one too. A zipped
import (zipapp, zipimport) is refused with a clear error rather than extracted.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = ["runtime_path"]


def runtime_path(*parts: str) -> Path:
    """The path of a runtime asset, e.g. ``runtime_path("lambda", "landing")``.

    Raises ``RuntimeError`` when the package is not installed as a directory and
    ``ValueError`` for a part that would leave this package (absolute, ``..``).
    """
    root = files(__name__)
    if not isinstance(root, Path):
        raise RuntimeError(f"silolake must be installed as a directory to read its runtime assets (found {root!r})")
    for part in parts:
        if not part or Path(part).is_absolute() or ".." in Path(part).parts:
            raise ValueError(f"runtime asset path part {part!r} must be relative and stay inside the package")
    return root.joinpath(*parts).resolve()
