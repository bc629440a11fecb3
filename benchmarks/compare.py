"""kvdeco and py-key-value side by side: ``python benchmarks/compare.py [--quick] [--json PATH]
[--url URL | --no-redis]``.

Runs both libraries on the same workloads in one process, interleaved, and prints medians,
interquartile ranges and the ratio kvdeco / py-key-value per row (see docs/performance.md).
The Redis rows use the server at ``--url`` (default ``redis://127.0.0.1:6379/0``) in a fresh
key namespace whose keys are deleted afterwards; ``--no-redis`` skips them.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from sidebyside import main  # found through the path set above

if __name__ == "__main__":
    sys.exit(main())
