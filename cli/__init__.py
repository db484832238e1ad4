"""Command-line front end: `tracegraph …` sub-commands, thin over the packages; cli/main.py maps each error kind
to its exit code."""
