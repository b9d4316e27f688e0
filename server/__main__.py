import sys

from server.core.cli import main

sys.exit(main())
