"""``python -m app.server``: see ``app.server.serve``."""
import sys

from .serve import main

sys.exit(main())
