"""``python -m mlplab``: the same as the ``mlplab`` command."""

import sys

from .cli import main

sys.exit(main())
