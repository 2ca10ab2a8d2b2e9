"""Start the dashboard: ``python -m ui.serve [streamlit options]`` (what scripts/run.sh runs).

It switches off Streamlit's first-generation multipage mode before any session starts. Otherwise a
freshly started server treats the ``pages/`` folder as pages of their own for its first session (see
ui/routing.py), and that session's URL does not follow its filters. Then it is plain ``streamlit run``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

APP = Path(__file__).resolve().parent.parent / "app.py"


def main() -> None:
    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", str(APP), *sys.argv[1:]]
    sys.exit(cli.main())


if __name__ == "__main__":
    main()
