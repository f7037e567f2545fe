"""axe-core accessibility checks for browser tests.

axe-core is the engine the axe-core-python package ships (a registry package, so no download at test time).
"""

from pathlib import Path

import axe_core_python

AXE_SOURCE = (Path(axe_core_python.__file__).parent / "axe.min.js").read_text()
BLOCKING_IMPACTS = {"serious", "critical"}


def axe_violations(page) -> list[dict]:
    page.evaluate(AXE_SOURCE)
    result = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    return result["violations"]


def assert_no_serious_axe_violations(page) -> None:
    violations = [v for v in axe_violations(page) if v.get("impact") in BLOCKING_IMPACTS]
    details = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] if node["target"] else "?" for node in v["nodes"][:5])
        for v in violations
    )
    assert not violations, f"axe-core found serious or critical violations on {page.url}:\n{details}"
