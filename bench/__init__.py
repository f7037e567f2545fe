"""The national-scale benchmark suite (issue 9): ``make bench``. Never imported by the portal itself."""
