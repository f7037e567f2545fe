"""Settings package: ``base`` holds production-safe defaults; ``local`` and ``test`` relax them."""
