import sys

from tracegraph.cli.main import main

sys.exit(main())
